#!/usr/bin/env python3
"""The emulators against the platforms' real client libraries, unchanged, from PyPI.

The emulators are our users' sandbox: what python-telegram-bot, aiogram, the official
dingtalk-stream SDK and dingtalkchatbot do against api.telegram.org and api.dingtalk.com must
work against `gatehouse emulate` the same way, and what the real servers refuse must be refused.
Each library is driven through every method the adapters use (and the SDKs' own ACKs and
downloads); any difference fails the run with what differed.

Usage: clients.py --gatehouse PATH   (in a virtualenv with the four libraries; .ci/run makes one)
Only 127.0.0.1 is used; both emulators are stopped before it returns.
"""

import argparse
import asyncio
from datetime import timedelta
import base64
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tools"))
from emulators import Emulator, http  # noqa: E402

TOKEN = "123456789:client-libraries-token-not-real"
CLIENT_ID = "dingclients"
CLIENT_SECRET = "clients-secret-not-real"
GROUP = -1001000000001
CHANNEL = -1001000000002
FORUM = -1001000000003
JPEG = bytes([0xFF, 0xD8, 0xFF, 0xE0]) + bytes(200)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)




async def python_telegram_bot(url):
    import telegram
    from telegram import InputMediaPhoto, MessageEntity
    from telegram.error import BadRequest, RetryAfter

    bot = telegram.Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot")
    async with bot:
        me = await bot.get_me()
        check(me.is_bot, "python-telegram-bot: getMe")
        try:
            await bot.send_message(-1009999999999, "hello")
            check(False, "python-telegram-bot: a chat nobody declared is 'chat not found'")
        except BadRequest as error:
            check("chat not found" in str(error).lower(), f"python-telegram-bot: a chat nobody declared is 'chat not found' ({error})")
        try:
            await bot.set_webhook("http://127.0.0.1:8080/hooks/outreach")
            check(False, "python-telegram-bot: setWebhook refuses plain http")
        except BadRequest as error:
            check(True, f"python-telegram-bot: setWebhook refuses plain http ({error})")
        await bot.delete_webhook()

        sent = await bot.send_message(GROUP, "Invoice due", entities=[MessageEntity(MessageEntity.BOLD, 0, 7)])
        check(sent.entities and sent.entities[0].type == MessageEntity.BOLD, "python-telegram-bot: sendMessage with entities")
        edited = await bot.edit_message_text("Invoice paid", chat_id=GROUP, message_id=sent.message_id)
        check(edited.text == "Invoice paid", "python-telegram-bot: editMessageText")
        chat = await bot.get_chat(GROUP)
        check(chat.type == "supergroup", "python-telegram-bot: getChat")
        await bot.send_chat_action(GROUP, "typing")
        check(True, "python-telegram-bot: sendChatAction")

        photo = await bot.send_photo(GROUP, JPEG, caption="a photo")
        check(bool(photo.photo) and photo.caption == "a photo", "python-telegram-bot: sendPhoto")
        try:
            await bot.send_photo(GROUP, b"not a picture at all")
            check(False, "python-telegram-bot: a photo that is no picture is refused")
        except BadRequest as error:
            check("image_process_failed" in str(error).lower(), f"python-telegram-bot: a photo that is no picture is refused ({error})")
        document = await bot.send_document(GROUP, PDF, filename="contract.pdf", caption="the contract")
        check(document.document.file_name == "contract.pdf", "python-telegram-bot: sendDocument")
        recaptioned = await bot.edit_message_caption(chat_id=GROUP, message_id=document.message_id, caption="signed")
        check(recaptioned.caption == "signed", "python-telegram-bot: editMessageCaption")
        file = await bot.get_file(document.document.file_id)
        data = await file.download_as_bytearray()
        check(bytes(data) == PDF, "python-telegram-bot: getFile and the download")
        check((await bot.send_animation(GROUP, b"GIF89a....", filename="a.gif", duration=2)).animation is not None, "python-telegram-bot: sendAnimation")
        check((await bot.send_video(GROUP, b"video", filename="v.mp4", duration=3)).video is not None, "python-telegram-bot: sendVideo")
        check((await bot.send_video_note(GROUP, b"round", duration=3)).video_note is not None, "python-telegram-bot: sendVideoNote")
        check((await bot.send_voice(GROUP, b"OggS", duration=2)).voice is not None, "python-telegram-bot: sendVoice")
        check((await bot.send_audio(GROUP, b"ID3", filename="s.mp3", duration=60)).audio is not None, "python-telegram-bot: sendAudio")
        check((await bot.send_sticker(GROUP, b"RIFF0000WEBPVP8 ")).sticker is not None, "python-telegram-bot: sendSticker")
        location = await bot.send_location(GROUP, latitude=31.2304, longitude=121.4737)
        check(abs(location.location.latitude - 31.2304) < 1e-6, "python-telegram-bot: sendLocation")
        venue = await bot.send_venue(GROUP, latitude=31.24, longitude=121.49, title="The Bund", address="Zhongshan Rd")
        check(venue.venue.title == "The Bund", "python-telegram-bot: sendVenue")
        contact = await bot.send_contact(GROUP, phone_number="+8613812345678", first_name="Wang")
        check(contact.contact.first_name == "Wang", "python-telegram-bot: sendContact")
        poll = await bot.send_poll(GROUP, "Lunch?", ["noodles", "rice"])
        check([o.text for o in poll.poll.options] == ["noodles", "rice"], "python-telegram-bot: sendPoll")
        dice = await bot.send_dice(GROUP, emoji="🎯")
        check(1 <= dice.dice.value <= 6, "python-telegram-bot: sendDice")
        album = await bot.send_media_group(GROUP, [InputMediaPhoto(JPEG + bytes([n]), caption="album" if n == 0 else None) for n in range(3)])
        check(len(album) == 3 and len({m.media_group_id for m in album}) == 1, "python-telegram-bot: sendMediaGroup")
        copy = await bot.copy_message(CHANNEL, GROUP, sent.message_id)
        check(copy.message_id > 0, "python-telegram-bot: copyMessage")
        forwarded = await bot.forward_message(CHANNEL, GROUP, sent.message_id)
        check(forwarded.forward_origin is not None, "python-telegram-bot: forwardMessage")
        topic = await bot.create_forum_topic(FORUM, "Support")
        in_topic = await bot.send_message(FORUM, "in the topic", message_thread_id=topic.message_thread_id)
        check(in_topic.message_thread_id == topic.message_thread_id, "python-telegram-bot: createForumTopic and a message in it")
        try:
            await bot.send_message(FORUM, "nowhere", message_thread_id=987654)
            check(False, "python-telegram-bot: an undeclared topic is refused")
        except BadRequest as error:
            check("thread not found" in str(error).lower(), f"python-telegram-bot: an undeclared topic is refused ({error})")
        check(await bot.delete_message(GROUP, sent.message_id), "python-telegram-bot: deleteMessage")

        # A 429 reads as the library's RetryAfter, with the server's retry_after.
        http("POST", f"{url}/_emulator/faults", {"rate": 1.0, "retry_after": 3, "kinds": ["429"]})
        try:
            await bot.send_message(GROUP, "too fast")
            check(False, "python-telegram-bot: a 429 is RetryAfter")
        except RetryAfter as error:
            check(error.retry_after in (3, timedelta(seconds=3)), f"python-telegram-bot: a 429 is RetryAfter ({error})")
        http("POST", f"{url}/_emulator/faults", {"rate": 0})

        # What people post arrives as updates the library reads: a location, a poll, an album.
        user = {"id": 42, "first_name": "Li"}
        chat = {"id": GROUP, "type": "supergroup", "title": "Partners"}
        http("POST", f"{url}/_emulator/updates", {"kind": "message", "chat": chat, "from": user, "text": "", "content": {"location": {"latitude": 31.23, "longitude": 121.47}}})
        http("POST", f"{url}/_emulator/updates", [
            {"kind": "message", "chat": chat, "from": user, "text": "two" if n == 0 else "", "photo": {"content": base64.b64encode(JPEG).decode()}, "media_group_id": "g1"}
            for n in range(2)
        ])
        updates = await bot.get_updates(timeout=0)
        messages = [u.message for u in updates if u.message]
        check(any(m.location for m in messages), "python-telegram-bot: getUpdates reads a location")
        check(sum(1 for m in messages if m.media_group_id == "g1") == 2, "python-telegram-bot: getUpdates reads an album")
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)


async def aiogram_bot(url):
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.exceptions import TelegramBadRequest, TelegramNotFound
    from aiogram.types import BufferedInputFile, InputMediaPhoto

    session = AiohttpSession(api=TelegramAPIServer.from_base(url))
    bot = Bot(TOKEN, session=session)
    try:
        check((await bot.get_me()).is_bot, "aiogram: getMe")
        sent = await bot.send_message(GROUP, "hello from aiogram")
        check(sent.text == "hello from aiogram", "aiogram: sendMessage")
        await bot.send_location(GROUP, 31.23, 121.47)
        check(True, "aiogram: sendLocation")
        album = await bot.send_media_group(GROUP, [InputMediaPhoto(media=BufferedInputFile(JPEG, f"{n}.jpg")) for n in range(2)])
        check(len(album) == 2, "aiogram: sendMediaGroup")
        document = await bot.send_document(GROUP, BufferedInputFile(PDF, "contract.pdf"))
        check(document.document.file_size == len(PDF), "aiogram: sendDocument")
        try:
            await bot.send_message(-1008888888888, "nobody")
            check(False, "aiogram: a chat nobody declared is refused")
        except TelegramBadRequest as error:
            check("chat not found" in str(error).lower(), f"aiogram: a chat nobody declared is refused ({error})")
        try:
            await session.make_request(bot, _Unknown())
            check(False, "aiogram: an unknown method is 404")
        except TelegramNotFound as error:
            check(True, f"aiogram: an unknown method is 404 ({error})")
    finally:
        await session.close()


class _Unknown:
    """A method the Bot API does not have, sent through aiogram's own request path."""

    def __new__(cls):
        from aiogram.methods import TelegramMethod

        class GetNothing(TelegramMethod[bool]):
            __returning__ = bool
            __api_method__ = "getNothingAtAll"

        return GetNothing()


def dingtalk_stream_sdk(url):
    # The SDK reads its endpoint once, when imported.
    os.environ["DINGTALK_OPENAPI_ENDPOINT"] = url
    import dingtalk_stream
    from dingtalk_stream import AckMessage

    received = []
    downloads = []
    events = []
    cards = []
    clicks = []

    class Bot(dingtalk_stream.ChatbotHandler):
        async def process(self, callback):
            message = dingtalk_stream.ChatbotMessage.from_dict(callback.data)
            received.append(message)
            if message.message_type == "text" and message.text.content.strip() == "card please":
                # The SDK's own card helpers: createAndDeliver to where the message came from.
                replier = dingtalk_stream.CardReplier(self.dingtalk_client, message)
                cards.append((replier, replier.create_and_deliver_card("tpl.schema", {"status": "waiting"})))
            elif message.message_type == "picture":
                downloads.append(self.get_image_download_url(message.image_content.download_code))
            else:
                self.reply_text("received: " + message.text.content.strip(), message)
            return AckMessage.STATUS_OK, "OK"

    class Clicks(dingtalk_stream.CallbackHandler):
        async def process(self, callback):
            click = dingtalk_stream.CardCallbackMessage.from_dict(callback.data)
            clicks.append(click)
            action = click.content.get("cardPrivateData", {}).get("params", {}).get("action")
            return AckMessage.STATUS_OK, {
                "cardUpdateOptions": {"updateCardDataByKey": True, "updatePrivateDataByKey": True},
                "cardData": {"cardParamMap": {"status": f"{action} by {click.user_id}"}},
                "userPrivateData": {"cardParamMap": {"notice": "thanks"}},
            }

    class Events(dingtalk_stream.EventHandler):
        async def process(self, event):
            events.append(event.headers.event_type)
            return AckMessage.STATUS_OK, "OK"

    client = dingtalk_stream.DingTalkStreamClient(dingtalk_stream.Credential(CLIENT_ID, CLIENT_SECRET))
    client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, Bot())
    client.register_callback_handler(dingtalk_stream.CallbackHandler.TOPIC_CARD_CALLBACK, Clicks())
    client.register_all_event_handler(Events())
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=lambda: loop.run_until_complete(client.start()), daemon=True)
    thread.start()

    def wait(condition, seconds=15):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if condition():
                return True
            time.sleep(0.1)
        return False

    check(wait(lambda: http("GET", f"{url}/_emulator/stream")["connectionsOpened"] >= 1), "dingtalk-stream: opens a Stream connection")
    http("POST", f"{url}/_emulator/messages", {"conversationId": "cidClients==", "conversationType": "2", "senderStaffId": "m01", "text": "hello"})
    check(wait(lambda: len(received) == 1), "dingtalk-stream: a robot message reaches the handler")
    check(wait(lambda: any(s.get("content") == "received: hello" for s in http("GET", f"{url}/_emulator/sent"))), "dingtalk-stream: reply_text through the session webhook")
    picture = base64.b64encode(JPEG).decode()
    http("POST", f"{url}/_emulator/messages", {
        "conversationId": "cidClients==", "conversationType": "2", "senderStaffId": "m01", "file": {"msgtype": "picture", "content": picture}})
    check(wait(lambda: len(downloads) == 1), "dingtalk-stream: a picture message, and messageFiles/download")
    if downloads and downloads[0]:
        with urllib.request.urlopen(downloads[0], timeout=10) as response:
            check(response.read() == JPEG, "dingtalk-stream: the download link gives the picture's bytes")
    http("POST", f"{url}/_emulator/events", {"eventType": "robot_msg_recall", "data": json.dumps({"processQueryKey": "k1", "openConversationId": "cidClients=="})})
    check(wait(lambda: "robot_msg_recall" in events), "dingtalk-stream: an event reaches the event handler")
    # Interactive cards: created by the SDK in a group and in a one-to-one chat, clicked, the
    # SDK's callback answer changing the card, and put_card_data updating it.
    for conversation_type, sender in (("2", "m01"), ("1", "m02")):
        http("POST", f"{url}/_emulator/messages", {
            "conversationId": f"cidCards{conversation_type}==", "conversationType": conversation_type, "senderStaffId": sender, "text": "card please"})
    check(wait(lambda: len(cards) == 2), "dingtalk-stream: CardReplier.create_and_deliver_card")
    made = {card["outTrackId"]: card for card in http("GET", f"{url}/_emulator/cards")}
    ids = [card_id for _, card_id in cards]
    check(all(card_id in made for card_id in ids), f"dingtalk-stream: both cards were created ({list(made)})")
    spaces = sorted(space for card_id in ids if card_id in made for space in made[card_id]["spaces"])
    check(spaces == ["IM_GROUP.cidCards2==", "IM_ROBOT.m02"], f"dingtalk-stream: delivered to the group and the robot chat ({spaces})")
    if ids and ids[-1] in made:
        clicked = http("POST", f"{url}/_emulator/cards/click", {"outTrackId": ids[-1], "userId": "m02", "params": {"action": "approve"}})
        check(clicked.get("answered") and clicked["card"]["cardData"].get("status") == "approve by m02",
              f"dingtalk-stream: a click reaches the SDK's card callback handler and its answer updates the card ({clicked})")
        check(clicked.get("card", {}).get("privateData", {}).get("m02", {}).get("notice") == "thanks", "dingtalk-stream: the answer's userPrivateData is the clicker's")
        check(len(clicks) == 1 and clicks[0].card_instance_id == ids[-1], "dingtalk-stream: CardCallbackMessage reads the click")
        replier = cards[-1][0]
        replier.put_card_data(ids[-1], {"status": "closed"}, cardUpdateOptions={"updateCardDataByKey": True})
        updated = http("GET", f"{url}/_emulator/cards?outTrackId={urllib.parse.quote(ids[-1])}")
        check(updated and updated[0]["cardData"].get("status") == "closed", f"dingtalk-stream: CardReplier.put_card_data ({updated})")
    stats = http("GET", f"{url}/_emulator/stream")
    check(stats["callbacksAcknowledged"] >= 2 and stats["redeliveries"] == 0, f"dingtalk-stream: the SDK's callback ACKs are taken, nothing pushed twice ({stats})")
    check(wait(lambda: http("GET", f"{url}/_emulator/stream")["eventsAcknowledged"] >= 1), "dingtalk-stream: the SDK's event ACK is taken")
    loop.call_soon_threadsafe(lambda: [task.cancel() for task in asyncio.all_tasks(loop)])


def dingtalkchatbot(url):
    from dingtalkchatbot.chatbot import DingtalkChatbot

    http("POST", f"{url}/_emulator/robots", {"accessToken": "robot-token", "secret": "SECrobot", "keywords": [], "conversationId": "cidRobot=="})
    robot = DingtalkChatbot(f"{url}/robot/send?access_token=robot-token", secret="SECrobot")
    answer = robot.send_text("deploy finished")
    check(answer.get("errcode") == 0, f"dingtalkchatbot: a signed text ({answer})")
    answer = robot.send_markdown(title="Deploy", text="**done**")
    check(answer.get("errcode") == 0, f"dingtalkchatbot: markdown ({answer})")
    wrong = DingtalkChatbot(f"{url}/robot/send?access_token=robot-token", secret="SECwrong")
    answer = wrong.send_text("forged")
    check(answer.get("errcode") not in (None, 0), f"dingtalkchatbot: a wrong signature is refused ({answer})")
    sent = [s for s in http("GET", f"{url}/_emulator/sent?conversation=cidRobot==")]
    check([s.get("content") for s in sent] == ["deploy finished", "**done**"], f"dingtalkchatbot: what the robot posted ({sent})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gatehouse", required=True)
    arguments = parser.parse_args()
    # Without the flood limits, so that one sweep can call every method at once; their 429 is
    # checked through an injected fault.
    telegram = Emulator(arguments.gatehouse, "telegram", ["--token", TOKEN, "--no-rate-limits"])
    dingtalk = Emulator(arguments.gatehouse, "dingtalk", ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
    try:
        for chat in [
            {"id": GROUP, "type": "supergroup", "title": "Partners"},
            {"id": CHANNEL, "type": "channel", "title": "News"},
            {"id": FORUM, "type": "supergroup", "title": "Desk", "is_forum": True},
        ]:
            http("POST", f"{telegram.url}/_emulator/chats", chat)
        asyncio.run(python_telegram_bot(telegram.url))
        asyncio.run(aiogram_bot(telegram.url))
        dingtalk_stream_sdk(dingtalk.url)
        dingtalkchatbot(dingtalk.url)
    finally:
        telegram.stop()
        dingtalk.stop()
    if failures:
        print(f"{len(failures)} check(s) failed:", *failures, sep="\n  ")
        sys.exit(1)
    print("every client library worked against the emulators")


if __name__ == "__main__":
    main()
