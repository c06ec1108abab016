/// The rules the fuzzed messages are decided by: every kind of check, every verdict, routes both
/// ways between a DingTalk app and a Telegram bot. The credentials are the emulators' fakes. (The
/// config's `receive` modes do not matter: the harness builds the adapters receiving every way.)
enum FuzzConfig {
    static let yaml = """
        state: ./fuzz-state
        platforms:
          corp:
            type: dingtalk
            side: internal
            client_id: dingfuzz
            client_secret: fuzz-secret-not-real
            robot_code: dingfuzz
            api_url: http://127.0.0.1:9
            oapi_url: http://127.0.0.1:9
          outreach:
            type: telegram
            side: external
            token: "123456789:fuzz-token-not-a-real-telegram-token"
            api_url: http://127.0.0.1:9
            receive: poll
        channels:
          all-hands: { platform: corp, conversation: "cidAllHands000==" }
          desk:      { platform: corp, conversation: "cidServiceDesk0==" }
          board:     { platform: corp, announcements: true }
          news:      { platform: outreach, chat: -1001234567890 }
          support:   { platform: outreach, chat: -1009876543210 }
          topic:     { platform: outreach, chat: "@acme_support", topic: 7 }
        checks:
          pii: { detect: [cn_mobile, cn_resident_id, bank_card, uscc, iban, email] }
          credentials: { detect: [private_key, api_token] }
          secret: { keywords: [机密, 内部资料, CONFIDENTIAL, "top secret"] }
          tickets: { regex: ['(?<![A-Za-z0-9])INC-\\d{6}(?![0-9])', '(?i)project\\s+(atlas|orion)'] }
          links: { links: { allow: [acme.example, "*.acme.example"] } }
          files: { attachments: { max_bytes: 10MB, types: [pdf, png, jpg] } }
          size: { size: { max_bytes: 16KB, max_chars: 4000 } }
          night: { outside: { days: mon-fri, hours: "09:00-18:00", tz: Asia/Shanghai } }
          confidential: { labels: [confidential] }
        routes:
          - name: announcements
            from: [all-hands, board]
            to: [news, topic]
            on: { pii: redact, credentials: block, secret: hold, tickets: redact, links: redact, confidential: block, files: hold }
            template: "📢 {text}\\n— {sender.name} ({sender.dept}) {channel} {time}"
          - name: customers-in
            from: [support, topic]
            to: [desk]
            on: { links: block, pii: redact, size: hold, night: hold }
            template: "[外部 {channel}] {sender.name}: {text}"
        """
}
