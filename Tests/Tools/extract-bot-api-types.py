#!/usr/bin/env python3
"""Extracts the Bot API types the Telegram emulator answers with from the machine-readable Bot API
specification (shared/reference/telegram/bot-api-spec.json), keeping only each field's name, types
and whether it is required: the fixture `TelegramShapeTests` checks the emulator's JSON against.

Usage: extract-bot-api-types.py SPEC.json > Tests/GatehouseEmulatorsTests/Fixtures/bot-api-types.json
"""
import json
import sys

TYPES = ["Update", "Message", "User", "Chat", "MessageEntity", "WebhookInfo", "ResponseParameters", "PhotoSize", "Document"]

spec = json.load(open(sys.argv[1]))
out = {"version": spec["version"], "types": {}}
for name in TYPES:
    out["types"][name] = [
        {"name": field["name"], "types": field["types"], "required": field["required"]}
        for field in spec["types"][name].get("fields", [])
    ]
json.dump(out, sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
sys.stdout.write("\n")
