import AsyncHTTPClient
import Foundation
import ServiceLifecycle
import Testing

@testable import GatehouseEmulators

private let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
private let api = "/bot\(token)"
private let noLimits = TelegramEmulator.Configuration(token: token, rateLimits: false)

private func group(_ id: Int64 = -1_001_234_567_890) -> TelegramEmulator.Chat {
    TelegramEmulator.Chat(id: id, type: .supergroup, title: "Partners")
}

private func userMessage(_ text: String, chat: TelegramEmulator.Chat = group()) -> TelegramEmulator.InjectedUpdate {
    TelegramEmulator.InjectedUpdate(kind: .message, chat: chat, from: .init(id: 42, firstName: "Li"), text: text)
}

@Suite("Telegram emulator", .timeLimit(.minutes(2)))
struct TelegramEmulatorTests {
    @Test("getMe answers for the configured token; other tokens get 401, unknown methods 404")
    func authentication() async throws {
        try await withTelegram(noLimits) { _, http in
            let me = try await http.get("\(api)/getMe")
            #expect(me.status == 200)
            #expect(me.json["ok"] == .bool(true))
            #expect(me.json["result"]?["id"] == .int(123_456_789))
            #expect(me.json["result"]?["is_bot"] == .bool(true))

            let wrong = try await http.get("/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2/getMe")
            #expect(wrong.status == 401)
            #expect(wrong.json == .object(["ok": .bool(false), "error_code": .int(401), "description": .string("Unauthorized")]))

            let unknown = try await http.get("\(api)/getMyFavouriteColour")
            #expect(unknown.status == 404)
            #expect(unknown.json["description"] == .string("Not Found"))

            // Method names are case-insensitive on the Bot API.
            #expect(try await http.get("\(api)/GETME").status == 200)
        }
    }

    @Test("getChat answers a ChatFullInfo: the chat's type and the fields it always has; an unknown @name is not found")
    func getChat() async throws {
        var configuration = noLimits
        configuration.chats = [.init(id: -1_001_234, type: .channel, title: "News", username: "acme_news")]
        try await withTelegram(configuration) { _, http in
            let channel = try await http.get("\(api)/getChat?chat_id=@acme_news").json["result"]
            #expect(channel?["id"] == .int(-1_001_234))
            #expect(channel?["type"] == .string("channel"))
            #expect(channel?["max_reaction_count"] != nil && channel?["accent_color_id"] != nil)
            #expect(channel?["accepted_gift_types"]?["unique_gifts"] == .bool(false))
            #expect(try await http.get("\(api)/getChat?chat_id=@nobody_here").status == 400)
        }
    }

    @Test("without a configured token any well-formed token is accepted")
    func anyWellFormedToken() async throws {
        #expect(TelegramResponder.accepts(token, configured: nil))
        #expect(!TelegramResponder.accepts("123:short", configured: nil))
        #expect(!TelegramResponder.accepts("abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", configured: nil))
        #expect(!TelegramResponder.accepts("123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDs w1", configured: nil))
        #expect(TelegramResponder.accepts(token, configured: token))
        #expect(!TelegramResponder.accepts(token + "x", configured: token))
    }

    @Test("getUpdates: unconfirmed updates are kept 24 hours, on the emulator's clock")
    func updatesExpireAfterADay() async throws {
        try await withTelegram(noLimits) { emulator, http in
            _ = try await emulator.inject(userMessage("old"))
            await emulator.advanceClock(by: .seconds(23 * 3600))
            _ = try await emulator.inject(userMessage("recent"))
            #expect(try await http.get("\(api)/getUpdates").json["result"]?.arrayValue?.count == 2)
            // 25 hours after the first, 2 after the second: only the second is still kept.
            await emulator.advanceClock(by: .seconds(2 * 3600))
            let kept = try await http.get("\(api)/getUpdates").json["result"]?.arrayValue
            #expect(kept?.map { $0["message"]?["text"] } == [.string("recent")])
        }
    }

    @Test("getUpdates: offset confirms lower updates, a negative offset keeps the last ones")
    func offsetConfirmation() async throws {
        try await withTelegram(noLimits) { emulator, http in
            var ids: [Int64] = []
            for text in ["one", "two", "three"] {
                ids.append(try await emulator.inject(userMessage(text)).updateID)
            }
            #expect(ids[1] == ids[0] + 1 && ids[2] == ids[1] + 1)

            let all = try await http.get("\(api)/getUpdates")
            #expect(all.json["result"]?.arrayValue?.count == 3)
            let first = try #require(all.json["result"]?.arrayValue?.first)
            #expect(first["update_id"] == .int(ids[0]))
            #expect(first["message"]?["text"] == .string("one"))
            #expect(first["message"]?["from"]?["first_name"] == .string("Li"))
            #expect(first["message"]?["chat"]?["type"] == .string("supergroup"))
            #expect(first["message"]?["date"]?.int64Value != nil)

            // Without an offset nothing is confirmed.
            #expect(try await http.get("\(api)/getUpdates").json["result"]?.arrayValue?.count == 3)
            // limit
            #expect(try await http.get("\(api)/getUpdates?limit=1").json["result"]?.arrayValue?.count == 1)

            let rest = try await http.get("\(api)/getUpdates?offset=\(ids[2])")
            #expect(rest.json["result"]?.arrayValue?.map { $0["update_id"] } == [.int(ids[2])])
            let none = try await http.get("\(api)/getUpdates?offset=\(ids[2] + 1)")
            #expect(none.json["result"] == .array([]))
            // Confirmed updates are gone.
            #expect(try await http.get("\(api)/getUpdates").json["result"] == .array([]))

            for text in ["four", "five", "six"] { _ = try await emulator.inject(userMessage(text)) }
            let last = try await http.get("\(api)/getUpdates?offset=-1")
            #expect(last.json["result"]?.arrayValue?.map { $0["message"]?["text"] } == [.string("six")])
            #expect(try await http.get("\(api)/getUpdates").json["result"]?.arrayValue?.count == 1)
        }
    }

    @Test("a long poll answers as soon as an update arrives, and empty after its timeout")
    func longPolling() async throws {
        try await withTelegram(noLimits) { emulator, http in
            let started = ContinuousClock.now
            async let poll = http.send("POST", "\(api)/getUpdates", body: #"{"timeout":5}"#)
            try await Task.sleep(for: .milliseconds(300))
            _ = try await emulator.inject(userMessage("wake up"))
            let answer = try await poll
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(answer.json["result"]?.arrayValue?.first?["message"]?["text"] == .string("wake up"))

            let emptyStart = ContinuousClock.now
            let next = answer.json["result"]?.arrayValue?.first?["update_id"]?.int64Value ?? 0
            let empty = try await http.send(
                "POST",
                "\(api)/getUpdates",
                body: "offset=\(next + 1)&timeout=1",
                contentType: "application/x-www-form-urlencoded"
            )
            let waited = ContinuousClock.now - emptyStart
            #expect(empty.json["result"] == .array([]))
            #expect(waited >= .milliseconds(900) && waited < .seconds(3))
        }
    }

    @Test("a group upgraded to a supergroup answers migrate_to_chat_id, as Telegram does")
    func migratedGroup() async throws {
        try await withTelegram(noLimits) { _, http in
            let migrate = try await http.send(
                "POST",
                "/_emulator/migrate",
                body: #"{"chat_id": -777, "to": -1000000000777}"#,
                contentType: "application/json"
            )
            #expect(migrate.status == 200)
            let old = try await http.send(
                "POST",
                "\(api)/sendMessage",
                body: #"{"chat_id": -777, "text": "hi"}"#,
                contentType: "application/json"
            )
            #expect(old.status == 400)
            #expect(old.json["ok"] == .bool(false) && old.json["error_code"] == .int(400))
            #expect(old.json["description"] == .string("Bad Request: group chat was upgraded to a supergroup chat"))
            #expect(old.json["parameters"]?["migrate_to_chat_id"] == .int(-1_000_000_000_777))
            let new = try await http.send(
                "POST",
                "\(api)/sendMessage",
                body: #"{"chat_id": -1000000000777, "text": "hi"}"#,
                contentType: "application/json"
            )
            #expect(new.json["result"]?["chat"]?["type"] == .string("supergroup"))
            let bad = try await http.send("POST", "/_emulator/migrate", body: #"{"chat_id": 5, "to": 6}"#, contentType: "application/json")
            #expect(bad.status == 400)
        }
    }

    @Test("a second concurrent getUpdates terminates the first with 409")
    func twoPollers() async throws {
        try await withTelegram(noLimits) { _, http in
            async let first = http.get("\(api)/getUpdates?timeout=5")
            try await Task.sleep(for: .milliseconds(300))
            async let second = http.get("\(api)/getUpdates?timeout=1")
            let terminated = try await first
            #expect(terminated.status == 409)
            #expect(
                terminated.json["description"]
                    == .string(
                        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
                    )
            )
            let survivor = try await second
            #expect(survivor.status == 200)
            #expect(survivor.json["result"] == .array([]))
        }
    }

    @Test("sendMessage returns a Message and is listed by /_emulator/sent")
    func sendMessage() async throws {
        try await withTelegram(noLimits) { _, http in
            let body: JSONValue = .object([
                "chat_id": .int(-1_001_234_567_890),
                "text": .string("📢 Hello world"),
                "message_thread_id": .int(42),
                "entities": .array([.object(["type": .string("bold"), "offset": .int(3), "length": .int(5)])]),
            ])
            let answer = try await http.post("\(api)/sendMessage", json: body)
            #expect(answer.status == 200)
            let message = try #require(answer.json["result"])
            #expect(message["message_id"] == .int(1))
            #expect(message["chat"]?["id"] == .int(-1_001_234_567_890))
            #expect(message["chat"]?["type"] == .string("supergroup"))
            #expect(message["chat"]?["is_forum"] == .bool(true))
            #expect(message["from"]?["is_bot"] == .bool(true))
            #expect(message["text"] == .string("📢 Hello world"))
            #expect(message["message_thread_id"] == .int(42))
            #expect(message["is_topic_message"] == .bool(true))
            // In a topic, reply_to_message is the topic's creation message: not a real reply.
            #expect(message["reply_to_message"]?["forum_topic_created"] != nil)
            #expect(message["entities"]?.arrayValue?.first?["type"] == .string("bold"))

            let second = try await http.post(
                "\(api)/sendMessage",
                json: .object(["chat_id": .string("-1001234567890"), "text": .string("again")])
            )
            #expect(second.json["result"]?["message_id"] == .int(2))
            _ = try await http.post("\(api)/sendMessage", json: .object(["chat_id": .int(77), "text": .string("dm")]))

            let sent = try await http.get("/_emulator/sent?chat_id=-1001234567890")
            let records = try #require(sent.json.arrayValue)
            #expect(records.count == 2)
            #expect(records[0]["method"] == .string("sendMessage"))
            #expect(records[0]["chat_id"] == .int(-1_001_234_567_890))
            #expect(records[0]["message_id"] == .int(1))
            #expect(records[0]["message_thread_id"] == .int(42))
            #expect(records[0]["text"] == .string("📢 Hello world"))
            #expect(records[0]["entities"]?.arrayValue?.first?["offset"] == .int(3))
            #expect(try await http.get("/_emulator/sent").json.arrayValue?.count == 3)
            let stats = try await http.get("/_emulator/stats")
            #expect(stats.json == .object(["requests": .int(3), "rate_limited": .int(0), "webhook_failures": .int(0), "injected_faults": .int(0)]))
        }
    }

    @Test("Injected faults refuse a request before it does anything: 429 with retry_after, 500 in JSON, 502 in HTML")
    func injectedFaults() async throws {
        try await withTelegram(noLimits) { emulator, http in
            let set = try await http.post("/_emulator/faults", json: .object(["rate": .double(1), "retry_after": .int(3), "seed": .int(7)]))
            #expect(set.status == 200)
            var statuses: Set<Int> = []
            for _ in 0..<30 {
                let answer = try await http.post("\(api)/sendMessage", json: .object(["chat_id": .int(-100), "text": .string("x")]))
                statuses.insert(answer.status)
                if answer.status == 429 { #expect(answer.json["parameters"]?["retry_after"] == .int(3)) }
                if answer.status == 502 { #expect(answer.text.contains("Bad Gateway")) }
            }
            #expect(statuses == [429, 500, 502])
            // Nothing a refused request asked for happened, and the faults are not counted as flood control.
            #expect(await emulator.sent().isEmpty)
            let stats = await emulator.stats()
            #expect(stats.injectedFaults == 30 && stats.rateLimited == 0)
            // Other methods are not refused, and rate 0 stops the faults.
            #expect(try await http.get("\(api)/getMe").status == 200)
            _ = try await http.post("/_emulator/faults", json: .object(["rate": .int(0)]))
            #expect(try await http.post("\(api)/sendMessage", json: .object(["chat_id": .int(-100), "text": .string("x")])).status == 200)
        }
    }

    @Test("sendMessage enforces text length, chat existence and entity bounds")
    func sendMessageValidation() async throws {
        try await withTelegram(noLimits) { emulator, http in
            func send(_ body: JSONValue) async throws -> HTTPAnswer {
                try await http.post("\(api)/sendMessage", json: body)
            }
            let empty = try await send(.object(["chat_id": .int(5), "text": .string("")]))
            #expect(empty.status == 400)
            #expect(empty.json["description"] == .string("Bad Request: message text is empty"))

            let longest = String(repeating: "ж", count: 4096)
            #expect(try await send(.object(["chat_id": .int(5), "text": .string(longest)])).status == 200)
            let tooLong = try await send(.object(["chat_id": .int(5), "text": .string(longest + "!")]))
            #expect(tooLong.status == 400)
            #expect(tooLong.json["description"] == .string("Bad Request: message is too long"))

            let unknown = try await send(.object(["chat_id": .string("@acme_news"), "text": .string("hi")]))
            #expect(unknown.json["description"] == .string("Bad Request: chat not found"))
            await emulator.register(chat: .init(id: -1_009_999, type: .channel, title: "News", username: "acme_news"))
            let channelPost = try await send(.object(["chat_id": .string("@acme_news"), "text": .string("hi")]))
            #expect(channelPost.status == 200)
            #expect(channelPost.json["result"]?["sender_chat"]?["id"] == .int(-1_009_999))
            #expect(channelPost.json["result"]?["from"] == nil)

            let missingChat = try await send(.object(["text": .string("hi")]))
            #expect(missingChat.json["description"] == .string("Bad Request: chat_id is empty"))

            // "a😀b" is 4 UTF-16 code units: offset 2 splits the surrogate pair, length 5 runs past the end.
            let split = try await send(
                .object([
                    "chat_id": .int(5), "text": .string("a😀b"),
                    "entities": .array([.object(["type": .string("bold"), "offset": .int(2), "length": .int(2)])]),
                ])
            )
            #expect(split.status == 400)
            let beyond = try await send(
                .object([
                    "chat_id": .int(5), "text": .string("a😀b"),
                    "entities": .array([.object(["type": .string("bold"), "offset": .int(0), "length": .int(5)])]),
                ])
            )
            #expect(beyond.status == 400)
            let exact = try await send(
                .object([
                    "chat_id": .int(5), "text": .string("a😀b"),
                    "entities": .array([.object(["type": .string("bold"), "offset": .int(1), "length": .int(3)])]),
                ])
            )
            #expect(exact.status == 200)

            let thread = try await send(.object(["chat_id": .int(-55), "text": .string("x"), "message_thread_id": .int(3)]))
            #expect(thread.json["description"] == .string("Bad Request: message thread not found"))
        }
    }

    @Test("parameters come from the query string, forms and JSON; parse_mode HTML is parsed")
    func parameterSources() async throws {
        try await withTelegram(noLimits) { _, http in
            let query = try await http.get("\(api)/sendMessage?chat_id=10&text=hello+there%21")
            #expect(query.json["result"]?["text"] == .string("hello there!"))
            let form = try await http.send(
                "POST",
                "\(api)/sendMessage",
                body: "chat_id=10&parse_mode=HTML&text=" + "<b>bold</b> &amp; <a href=\"https://acme.example\">x</a>"
                    .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(form.json["result"]?["text"] == .string("bold & x"))
            #expect(
                form.json["result"]?["entities"]
                    == .array([
                        .object(["type": .string("bold"), "offset": .int(0), "length": .int(4)]),
                        .object([
                            "type": .string("text_link"), "offset": .int(7), "length": .int(1),
                            "url": .string("https://acme.example"),
                        ]),
                    ])
            )
            let boundary = "gatehouse-boundary"
            let multipart = [
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n10\r\n",
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nline 1\r\nline 2\r\n",
                "--\(boundary)--\r\n",
            ].joined()
            let fromMultipart = try await http.send(
                "POST",
                "\(api)/sendMessage",
                body: multipart,
                contentType: "multipart/form-data; boundary=\(boundary)"
            )
            #expect(fromMultipart.json["result"]?["text"] == .string("line 1\r\nline 2"))
            let badHTML = try await http.post(
                "\(api)/sendMessage",
                json: .object(["chat_id": .int(10), "parse_mode": .string("HTML"), "text": .string("1 < 2")])
            )
            #expect(badHTML.status == 400)
            #expect(badHTML.json["description"]?.stringValue?.hasPrefix("Bad Request: can't parse entities") == true)
        }
    }

    @Test("more than the per-chat burst within a second is answered 429 with retry_after")
    func perChatRateLimit() async throws {
        // The bucket refills once in 10 s here, not every second: on a busy machine the burst's
        // requests may take longer than a second, and the test is about the burst, not the refill.
        var configuration = TelegramEmulator.Configuration(token: token)
        configuration.floodLimits.chatPerSecond = 0.1
        try await withTelegram(configuration) { emulator, http in
            for index in 0..<TelegramEmulator.FloodLimits().chatBurst {
                let answer = try await http.post(
                    "\(api)/sendMessage",
                    json: .object(["chat_id": .int(42), "text": .string("m\(index)")])
                )
                #expect(answer.status == 200)
            }
            let limited = try await http.post(
                "\(api)/sendMessage",
                json: .object(["chat_id": .int(42), "text": .string("too fast")])
            )
            #expect(limited.status == 429)
            #expect(limited.json["error_code"] == .int(429))
            let retryAfter = try #require(limited.json["parameters"]?["retry_after"]?.int64Value)
            #expect(retryAfter >= 1)
            #expect(limited.json["description"] == .string("Too Many Requests: retry after \(retryAfter)"))
            // Another chat is not affected by this chat's limit.
            let other = try await http.post("\(api)/sendMessage", json: .object(["chat_id": .int(43), "text": .string("ok")]))
            #expect(other.status == 200)
            #expect(await emulator.stats() == TelegramEmulator.Stats(requests: 5, rateLimited: 1))
            #expect(await emulator.sent(chatID: "42").count == TelegramEmulator.FloodLimits().chatBurst)
        }
    }

    @Test("editMessageText and deleteMessage work on the bot's messages and report unknown ones")
    func editAndDelete() async throws {
        try await withTelegram(noLimits) { emulator, http in
            let sent = try await http.post("\(api)/sendMessage", json: .object(["chat_id": .int(-77), "text": .string("v1")]))
            #expect(sent.json["result"]?["chat"]?["type"] == .string("group"))
            let id = try #require(sent.json["result"]?["message_id"])

            let edited = try await http.post(
                "\(api)/editMessageText",
                json: .object(["chat_id": .int(-77), "message_id": id, "text": .string("v2")])
            )
            #expect(edited.json["result"]?["text"] == .string("v2"))
            #expect(edited.json["result"]?["edit_date"] != nil)
            let same = try await http.post(
                "\(api)/editMessageText",
                json: .object(["chat_id": .int(-77), "message_id": id, "text": .string("v2")])
            )
            #expect(same.json["description"]?.stringValue?.hasPrefix("Bad Request: message is not modified") == true)
            let missing = try await http.post(
                "\(api)/editMessageText",
                json: .object(["chat_id": .int(-77), "message_id": .int(99), "text": .string("x")])
            )
            #expect(missing.json["description"] == .string("Bad Request: message to edit not found"))

            let deleted = try await http.post("\(api)/deleteMessage", json: .object(["chat_id": .int(-77), "message_id": id]))
            #expect(deleted.json == .object(["ok": .bool(true), "result": .bool(true)]))
            let again = try await http.post("\(api)/deleteMessage", json: .object(["chat_id": .int(-77), "message_id": id]))
            #expect(again.json["description"] == .string("Bad Request: message to delete not found"))

            let methods = await emulator.sent(chatID: "-77").map(\.method)
            #expect(methods == ["sendMessage", "editMessageText", "deleteMessage"])
        }
    }

    @Test("the control API injects messages, edits and channel posts as Bot API updates")
    func controlAPI() async throws {
        try await withTelegram(noLimits) { _, http in
            let posted = try await http.post(
                "/_emulator/updates",
                json: .object([
                    "kind": .string("message"),
                    "chat": .object(["id": .int(-1001), "type": .string("supergroup"), "title": .string("Support")]),
                    "from": .object(["id": .int(42), "first_name": .string("Li")]),
                    "text": .string("hello"),
                ])
            )
            #expect(posted.status == 200)
            let messageID = try #require(posted.json["message_id"])
            #expect(posted.json["update_id"]?.int64Value != nil)

            let edit = try await http.post(
                "/_emulator/updates",
                json: .object([
                    "kind": .string("edited_message"),
                    "chat": .object(["id": .int(-1001), "type": .string("supergroup"), "title": .string("Support")]),
                    "from": .object(["id": .int(42), "first_name": .string("Li")]),
                    "text": .string("hello, edited"), "message_id": messageID,
                ])
            )
            #expect(edit.json["message_id"] == messageID)
            let badEdit = try await http.post(
                "/_emulator/updates",
                json: .object([
                    "kind": .string("edited_message"),
                    "chat": .object(["id": .int(-1001), "type": .string("supergroup")]),
                    "from": .object(["id": .int(42), "first_name": .string("Li")]), "text": .string("x"),
                ])
            )
            #expect(badEdit.status == 400)

            _ = try await http.post(
                "/_emulator/updates",
                json: .object([
                    "kind": .string("channel_post"),
                    "chat": .object(["id": .int(-1002), "type": .string("channel"), "title": .string("News")]),
                    "text": .string("news"),
                ])
            )
            let updates = try #require(try await http.get("\(api)/getUpdates").json["result"]?.arrayValue)
            #expect(updates.count == 3)
            #expect(updates[0]["message"]?["text"] == .string("hello"))
            #expect(updates[1]["edited_message"]?["text"] == .string("hello, edited"))
            #expect(updates[1]["edited_message"]?["edit_date"] != nil)
            #expect(updates[1]["message"] == nil)
            #expect(updates[2]["channel_post"]?["sender_chat"]?["id"] == .int(-1002))
            #expect(updates[2]["channel_post"]?["from"] == nil)
        }
    }

    @Test("a graceful shutdown ends pending long polls and the server promptly")
    func gracefulShutdown() async throws {
        let emulator = TelegramEmulator(configuration: noLimits, logger: testLogger("test.telegram"))
        let serviceGroup = ServiceGroup(services: [emulator], logger: testLogger("test.group"))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            let http = TestHTTP(client: client, base: "http://127.0.0.1:\(try await emulator.port())")
            async let poll = http.get("\(api)/getUpdates?timeout=30")
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            await serviceGroup.triggerGracefulShutdown()
            let answer = try await poll
            #expect(answer.json["result"] == .array([]))
            try await group.next()
            #expect(ContinuousClock.now - started < .seconds(5))
            // Once run() has returned, port() reports the emulator stopped.
            await #expect(throws: EmulatorError.self) { try await emulator.port() }
        }
        try await client.shutdown()
    }

    @Test("topic messages carry their thread; allowed_updates filters later updates")
    func topicsAndAllowedUpdates() async throws {
        try await withTelegram(noLimits) { emulator, http in
            var inTopic = userMessage("in a topic")
            inTopic.messageThreadID = 7
            _ = try await emulator.inject(inTopic)
            let updates = try #require(try await http.get("\(api)/getUpdates").json["result"]?.arrayValue)
            let message = try #require(updates.first?["message"])
            #expect(message["message_thread_id"] == .int(7))
            #expect(message["is_topic_message"] == .bool(true))
            #expect(message["chat"]?["is_forum"] == .bool(true))
            #expect(message["reply_to_message"]?["message_id"] == .int(7))
            let next = (updates.last?["update_id"]?.int64Value ?? 0) + 1

            _ = try await http.get("\(api)/getUpdates?offset=\(next)&allowed_updates=%5B%22channel_post%22%5D")
            _ = try await emulator.inject(userMessage("filtered out"))
            #expect(try await http.get("\(api)/getUpdates").json["result"] == .array([]))
            _ = try await emulator.inject(
                .init(kind: .channelPost, chat: .init(id: -1_003, type: .channel, title: "News"), text: "kept")
            )
            let kept = try await http.get("\(api)/getUpdates")
            #expect(kept.json["result"]?.arrayValue?.first?["channel_post"]?["text"] == .string("kept"))

            // With a webhook set, updates are pushed and getUpdates is refused; deleting it ends that.
            let webhook = try await http.post("\(api)/setWebhook", json: .object(["url": .string("https://gatehouse.example/hook")]))
            #expect(webhook.status == 200)
            #expect(try await http.get("\(api)/getWebhookInfo").json["result"]?["url"] == .string("https://gatehouse.example/hook"))
            #expect(try await http.get("\(api)/getUpdates").status == 409)
            _ = try await http.post("\(api)/deleteWebhook", json: .object([:]))
            #expect(try await http.get("\(api)/getWebhookInfo").json["result"]?["url"] == .string(""))
            #expect(try await http.get("\(api)/getUpdates").status == 200)
        }
    }
}
