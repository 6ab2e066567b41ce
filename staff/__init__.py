"""The staff web: dashboard, complaint inbox, catalogue editor, unanswered questions,
visits and QR, exports and settings, behind accounts with roles scoped to a commune."""
