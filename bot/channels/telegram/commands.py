"""The command menu residents see when they type "/" (``setMyCommands``), in Vietnamese."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.channels.telegram import texts


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in texts.COMMANDS]


async def register_commands(bot: Bot) -> None:
    """Set the menu for every chat and language (the bot speaks Vietnamese only)."""
    await bot.set_my_commands(bot_commands())
