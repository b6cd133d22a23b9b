"""FakeTelegramAPI driven by the real aiogram Bot / Dispatcher over loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.fakes.telegram_api import FakeTelegramAPI, HTMLParseError, parse_html

CHAT = 42
USER = 4242


def keyboard(callback_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Done", callback_data=callback_data)]]
    )


def dump(obj: TelegramObject | None) -> dict[str, Any] | None:
    """Comparable form of an aiogram object (parsed objects also carry the bot)."""
    return None if obj is None else obj.model_dump(exclude_none=True)


# ---------------------------------------------------------------------------- HTML parser


@pytest.mark.parametrize(
    ("html", "visible"),
    [
        ("<b>bold</b> &amp; <i>it</i>", "bold & it"),
        ("<B>upper</B> <strong>s</strong> <em>e</em> <u>u</u> <ins>i</ins>", "upper s e u i"),
        ("<s>a</s><strike>b</strike><del>c</del>", "abc"),
        ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
        ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link"),
        ('<pre><code class="language-python">print(1)</code></pre>', "print(1)"),
        ("<blockquote expandable>quote</blockquote>", "quote"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("&lt;tag&gt; &quot;q&quot; &#128512; &#x41;", '<tag> "q" 😀 A'),
        ("2 > 1", "2 > 1"),
        ("<b>x</>", "x"),
    ],
)
def test_parse_html_accepts_telegram_html(html: str, visible: str) -> None:
    assert parse_html(html)[0] == visible


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("Tom & Jerry", "Unescaped '&' at byte offset 4"),
        ("&nbsp;", "Unescaped '&' at byte offset 0"),
        ("ż<x>", 'Unsupported start tag "x" at byte offset 2'),
    ],
)
def test_parse_html_rejects_malformed_html(html: str, reason: str) -> None:
    with pytest.raises(HTMLParseError) as error:
        parse_html(html)
    assert reason in str(error.value)


def test_parse_html_entities_use_utf16_offsets_and_lenient_ampersand() -> None:
    text, entities = parse_html('😀 <b>bold</b> <a href="https://x.io">l</a>')
    assert text == "😀 bold l"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "offset": 8, "length": 1, "url": "https://x.io"},
    ]
    assert parse_html("Tom & Jerry", strict_ampersand=False) == ("Tom & Jerry", [])


# ---------------------------------------------------------------------------- bot methods


async def test_get_me_returns_the_test_bot(fake_telegram: FakeTelegramAPI, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "brygada_test_bot"
    assert me.id == bot.id
    [call] = fake_telegram.calls_to("getMe")
    assert call.ok
    assert call.params == {}


async def test_send_edit_and_state(fake_telegram: FakeTelegramAPI, bot: Bot) -> None:
    sent = await bot.send_message(
        CHAT, "<b>Task</b> &amp; more", parse_mode="HTML", reply_markup=keyboard("task:1:done")
    )
    assert isinstance(sent, Message)
    assert sent.text == "Task & more"
    assert sent.chat.id == CHAT
    assert sent.from_user is not None and sent.from_user.id == bot.id
    assert dump(sent.reply_markup) == dump(keyboard("task:1:done"))

    [call] = fake_telegram.calls_to("sendmessage")  # names are case-insensitive
    assert call.params["chat_id"] == CHAT  # form values are decoded
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Done", "callback_data": "task:1:done"}]]
    }
    assert fake_telegram.sent_texts(CHAT) == ["<b>Task</b> &amp; more"]
    assert fake_telegram.sent_texts(CHAT, visible=True) == ["Task & more"]

    second = await bot.send_message(CHAT, "next", reply_to_message_id=sent.message_id)
    assert second.message_id == sent.message_id + 1
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == sent.message_id

    edited = await bot.edit_message_text(
        "<i>Task</i> done",
        chat_id=CHAT,
        message_id=sent.message_id,
        parse_mode="HTML",
    )
    assert isinstance(edited, Message)
    assert edited.text == "Task done"
    assert edited.reply_markup is None  # omitting reply_markup removes the keyboard
    assert edited.edit_date is not None
    assert fake_telegram.messages[(CHAT, sent.message_id)]["text"] == "Task done"
    assert "reply_markup" not in fake_telegram.messages[(CHAT, sent.message_id)]

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<em>Task</em> done", chat_id=CHAT, message_id=sent.message_id, parse_mode="HTML"
        )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id)
    markup_edit = await bot.edit_message_reply_markup(
        chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("task:1:undo")
    )
    assert isinstance(markup_edit, Message)
    assert dump(markup_edit.reply_markup) == dump(keyboard("task:1:undo"))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=999)
    assert fake_telegram.last_message(CHAT) == fake_telegram.messages[(CHAT, second.message_id)]


async def test_answer_callback_query_only_once(fake_telegram: FakeTelegramAPI, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "Pick", reply_markup=keyboard("task:7:done"))
    update = fake_telegram.callback_update(CHAT, USER, "task:7:done", message_id=sent.message_id)
    query = update["callback_query"]
    assert query["message"]["reply_markup"] == dump(sent.reply_markup)

    assert await bot.answer_callback_query(query["id"], text="Done!") is True
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("123456789")
    assert fake_telegram.callback_answers[query["id"]]["text"] == "Done!"


async def test_validation_like_telegram(fake_telegram: FakeTelegramAPI, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "x", reply_markup=keyboard("x" * 65))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "x", reply_markup=keyboard("ą" * 33))  # 66 bytes
    await bot.send_message(CHAT, "x", reply_markup=keyboard("ą" * 32))  # exactly 64 bytes

    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(CHAT, "<div>x</div>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Can't find end tag"):
        await bot.send_message(CHAT, "<b>unclosed", parse_mode="HTML")
    await bot.send_message(CHAT, "<b>unclosed", parse_mode=None)  # no parse_mode: plain text

    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "a" * 4097)
    # The limit applies to the visible text after entity parsing.
    await bot.send_message(CHAT, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, "")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(CHAT, BufferedInputFile(b"png", "p.png"), caption="c" * 1025)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(CHAT, "not-a-known-file-id")
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(CHAT, "x", reply_to_message_id=12345)
    assert not [call for call in fake_telegram.calls if call.status not in (200, 400)]


async def test_failures_and_blocked_chat(
    fake_telegram: FakeTelegramAPI, bot: Bot, make_telegram_bot: Callable[..., Bot]
) -> None:
    fake_telegram.fail_next("sendMessage", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(CHAT, "hi")
    assert retry.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in retry.value.message
    await bot.send_message(CHAT, "hi")  # only the next call failed
    assert fake_telegram.rejected_429 == 1

    fake_telegram.fail_next("sendMessage", status=502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(CHAT, "hi")

    fake_telegram.block_chat(CHAT)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hi")
    fake_telegram.unblock_chat(CHAT)

    slow = make_telegram_bot(timeout=0.1)
    fake_telegram.delay_next("getMe", 0.4)
    with pytest.raises(TelegramNetworkError, match="Request timeout error"):
        await slow.get_me()
    # The delayed answer still arrives (and is recorded) after the client gave up.
    [late] = await fake_telegram.wait_for("getMe", timeout=2)
    assert late.ok


async def test_wrong_token_and_unknown_method() -> None:
    locked = FakeTelegramAPI(token="1:right")
    async with locked, aiohttp.ClientSession() as session:
        async with session.post(f"{locked.base_url}/bot1:wrong/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with session.post(f"{locked.base_url}/bot1:right/fooBar") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found: method not found"
        async with session.get(
            f"{locked.base_url}/bot1:right/sendMessage",
            params={"chat_id": "5", "text": "via query string"},
        ) as response:
            assert (await response.json())["result"]["text"] == "via query string"


async def test_get_updates_long_poll(fake_telegram: FakeTelegramAPI, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=5, allowed_updates=["message"]))
    await asyncio.sleep(0.1)
    assert not poll.done()
    update_id = fake_telegram.push_update(
        fake_telegram.message_update(CHAT, USER, "/start ref", username="jan")
    )
    [update] = await asyncio.wait_for(poll, 2)
    assert loop.time() - started < 2
    assert update.update_id == update_id
    assert update.message is not None
    assert update.message.text == "/start ref"
    assert update.message.from_user is not None
    assert update.message.from_user.username == "jan"
    assert update.message.entities is not None
    assert update.message.entities[0].type == "bot_command"

    # Confirmed by the offset; a callback update is filtered by allowed_updates.
    fake_telegram.push_update(fake_telegram.callback_update(CHAT, USER, "x", message_id=1))
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == []

    fake_telegram.redeliver(update_id)
    [again] = await bot.get_updates(offset=update_id + 1, timeout=0)
    assert again.update_id == update_id
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == []


async def test_files_commands_and_misc_methods(fake_telegram: FakeTelegramAPI, bot: Bot) -> None:
    document = await bot.send_document(
        CHAT, BufferedInputFile(b"report body", "report.txt"), caption="<b>Report</b>"
    )
    assert document.document is not None
    assert document.document.file_name == "report.txt"
    assert document.document.mime_type == "text/plain"
    assert document.caption == "<b>Report</b>"  # no parse_mode: caption kept verbatim
    file = await bot.get_file(document.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"report body"
    again = await bot.send_document(CHAT, document.document.file_id)  # resend by file_id
    assert again.document is not None
    assert again.document.file_id == document.document.file_id

    photo = await bot.send_photo(CHAT, BufferedInputFile(b"\x89PNG", "p.png"))
    assert photo.photo is not None and len(photo.photo) == 2
    upload = fake_telegram.calls_to("sendPhoto")[0].params["photo"]
    assert upload.filename == "p.png" and upload.data == b"\x89PNG"

    commands = [
        BotCommand(command="start", description="Start"),
        BotCommand(command="task", description="New task"),
    ]
    assert await bot.set_my_commands(commands)
    assert [dump(c) for c in await bot.get_my_commands()] == [dump(c) for c in commands]
    assert await bot.get_my_commands(language_code="pl") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])

    assert await bot.send_chat_action(CHAT, "typing")
    assert await bot.pin_chat_message(CHAT, photo.message_id)
    chat = await bot.get_chat(CHAT)
    assert chat.type == "private"
    assert chat.pinned_message is not None
    assert await bot.unpin_chat_message(CHAT, message_id=photo.message_id)
    assert await bot.delete_message(CHAT, photo.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, photo.message_id)
    assert await bot.log_out()
    assert await bot.close()


async def test_rate_limit_enforcer(fake_telegram: FakeTelegramAPI, bot: Bot) -> None:
    fake_telegram.enforce_limits(per_chat_per_second=1, global_per_second=30)
    await bot.send_message(CHAT, "first")
    await bot.send_message(CHAT + 1, "other chat is fine")
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(CHAT, "too fast")
    assert retry.value.retry_after == 1
    assert fake_telegram.rejected_429 == 1
    assert fake_telegram.sent_texts(CHAT) == ["first"]


async def test_dispatcher_polling_echo(fake_telegram: FakeTelegramAPI, bot: Bot) -> None:
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        fake_telegram.push_update(fake_telegram.message_update(CHAT, USER, "hello"))
        await fake_telegram.wait_for("sendMessage")
        assert fake_telegram.sent_texts(CHAT) == ["echo: hello"]
        poll = fake_telegram.calls_to("getUpdates")[0]
        assert poll.params["allowed_updates"] == ["message"]
        assert poll.params["timeout"] == 10
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 5)
    assert fake_telegram.calls_to("getMe")


async def test_webhook_delivery(fake_telegram: FakeTelegramAPI, bot: Bot) -> None:
    router = Router()

    @router.message()
    async def pong(message: Message) -> object:
        return message.answer(f"pong: {message.text}")  # answered in the webhook response

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    app = web.Application()
    SimpleRequestHandler(
        dispatcher=dispatcher, bot=bot, secret_token="s3cret", handle_in_background=False
    ).register(app, path="/tg/webhook")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/tg/webhook"
    try:
        assert await bot.set_webhook(url, secret_token="s3cret")
        info = await bot.get_webhook_info()
        assert info.url == url
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()

        delivery = await fake_telegram.post_webhook(url, fake_telegram.message_update(7, 7, "ping"))
        assert delivery.status == 200
        assert delivery.call is not None and delivery.call.ok
        assert fake_telegram.sent_texts(7) == ["pong: ping"]

        rejected = await fake_telegram.post_webhook(
            url, fake_telegram.message_update(7, 7, "x"), secret_token="wrong"
        )
        assert rejected.status == 401
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()
