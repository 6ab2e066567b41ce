"""Captured-shape Telegram updates become the channel-neutral messages handlers read."""

from __future__ import annotations

import pytest

from bot.channels.telegram.parse import TelegramChannel
from bot.types import Attachment, Contact, Location, UserRef
from tests.channels.telegram.conftest import FIXTURES, RESIDENT, STAFF_GROUP, STAFF_USER, update
from tests.fakes.telegram_spec import BotApiSpec

channel = TelegramChannel(["motcua_anbinh_bot"])
lan = UserRef("telegram", RESIDENT, RESIDENT, "Lan Nguyễn Thị")


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_is_a_valid_update_by_the_published_tables(path: object) -> None:
    name = getattr(path, "stem", "")
    assert BotApiSpec.load().check_object("Update", update(name), name) == []


def test_typed_text_is_a_message_from_the_resident_in_their_chat() -> None:
    [msg] = channel.parse(update("text"))
    assert msg.user == lan
    assert msg.text == "làm giấy khai sinh cần gì"
    assert msg.command is None and msg.payload is None and not msg.is_group
    assert msg.message_id == "815563201"
    assert channel.update_key(update("text")) == "815563201"


def test_a_deep_link_start_carries_its_payload() -> None:
    [msg] = channel.parse(update("start_payload"))
    assert (msg.command, msg.payload) == ("start", "sv_7Hq2-xK9")


def test_a_button_press_arrives_as_its_payload() -> None:
    [msg] = channel.parse(update("callback_query"))
    assert msg.is_button and msg.payload == "m:info"
    assert msg.user == lan


def test_a_photo_is_its_largest_size_with_the_caption_as_text() -> None:
    [msg] = channel.parse(update("photo"))
    assert msg.attachments == (
        Attachment("photo", "AgACAgUAAxkBAAIBQmdBlarge", "image/jpeg", 112833),
    )
    assert msg.text == "ổ gà trước cổng chợ"


def test_a_sticker_and_a_document_are_attachments_of_their_kind() -> None:
    [sticker] = channel.parse(update("sticker"))
    assert sticker.attachments[0].kind == "sticker" and sticker.text == ""
    [document] = channel.parse(update("document"))
    assert document.attachments == (
        Attachment("document", "BQACAgUAAxkBAAIEDocFileId", "application/pdf", 183422),
    )


def test_a_location_is_kept_as_coordinates() -> None:
    [msg] = channel.parse(update("location"))
    assert msg.location == Location(21.853708, 106.761519)


def test_a_contact_is_own_only_when_it_is_the_senders_number() -> None:
    [own] = channel.parse(update("contact_own"))
    assert own.contact == Contact("+84912345678", "Lan Nguyễn Thị", own=True)
    [other] = channel.parse(update("contact_other"))
    assert other.contact == Contact("0987654321", "Bình", own=False)


def test_an_edited_message_is_ignored() -> None:
    assert channel.parse(update("edited_message")) == []


@pytest.mark.parametrize("name", ["channel_post", "my_chat_member_blocked"])
def test_updates_that_are_not_messages_produce_nothing(name: str) -> None:
    assert channel.parse(update(name)) == []


def test_a_staff_command_in_the_group_is_a_group_message_from_the_staff_member() -> None:
    [msg] = channel.parse(update("group_staff_command"))
    assert msg.is_group
    assert msg.user == UserRef("telegram", STAFF_USER, STAFF_GROUP, "Hùng Trần Văn")
    assert (msg.command, msg.payload) == ("tracuu", "PA-2611-0042")
    [pressed] = channel.parse(update("group_staff_button"))
    assert pressed.is_group and pressed.user.chat_id == STAFF_GROUP
    assert pressed.payload == "cp:take:42"


def test_a_command_for_another_bot_in_a_group_is_not_ours() -> None:
    assert channel.parse(update("group_other_bot_command")) == []
    # Before the bot knows its own username, it cannot tell, and takes the command.
    assert TelegramChannel().parse(update("group_other_bot_command"))[0].command == "start"


def test_updates_of_one_person_share_a_conversation_key() -> None:
    keys = {channel.conversation_key(update(n)) for n in ("text", "callback_query", "photo")}
    assert keys == {f"user:{RESIDENT}"}


def test_an_update_python_telegram_bot_cannot_read_is_refused() -> None:
    broken = {"update_id": 1, "message": {"message_id": 5, "chat": {"id": 1, "type": "private"}}}
    with pytest.raises(KeyError):
        channel.parse(broken)
    with pytest.raises(ValueError, match="not a Telegram update"):
        channel.parse({"invalid_update": "{not json"})
