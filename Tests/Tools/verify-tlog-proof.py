#!/usr/bin/env python3
"""Verify a C2SP tlog-proof (c2sp.org/tlog-proof@v1) offline, independently of Gatehouse.

Usage: verify-tlog-proof.py PROOF_FILE [VERIFIER_KEY]

Recomputes the RFC 6962 leaf hash of the `extra` bytes (the audit record's exact leaf), walks
the inclusion path per RFC 9162 section 2.1.3.2 to the checkpoint's root, and, given the log's
verifier key (<name>+<key id>+<base64(0x01 || public key)>) and the `cryptography` package,
checks the checkpoint's Ed25519 signature per C2SP signed-note. Exit 0 when everything holds.
"""
import base64
import hashlib
import struct
import sys


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: list) -> bytes:
    if index >= size:
        raise ValueError("index beyond the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("proof too short")
    return r


def main() -> int:
    text = open(sys.argv[1], "rb").read().decode("utf-8")
    head, note = text.split("\n\n", 1)
    lines = head.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1", "not a tlog-proof"
    position = 1
    extra = b""
    if lines[position].startswith("extra "):
        extra = base64.b64decode(lines[position][6:], validate=True)
        position += 1
    assert lines[position].startswith("index "), "no index line"
    index = int(lines[position][6:])
    proof = [base64.b64decode(line, validate=True) for line in lines[position + 1:] if line]
    body, signatures = note.split("\n\n", 1)
    origin, size, root = body.split("\n")[:3]
    size, root = int(size), base64.b64decode(root, validate=True)
    computed = root_from_inclusion_proof(index, size, leaf_hash(extra), proof)
    if computed != root:
        print(f"FAIL: the inclusion path leads to {base64.b64encode(computed).decode()}, not the checkpoint's root")
        return 1
    print(f"inclusion: leaf {index} of {size} is in the tree of {origin} (root {base64.b64encode(root).decode()})")
    if len(sys.argv) > 2:
        name, key_id, key = sys.argv[2].split("+", 2)
        raw = base64.b64decode(key, validate=True)
        assert raw[0] == 1, "not an Ed25519 verifier key"
        assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == key_id, "key id mismatch"
        try:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        except ImportError:
            print("signature: not checked (the Python package `cryptography` is not installed)")
            return 0
        public = Ed25519PublicKey.from_public_bytes(raw[1:])
        for line in signatures.strip("\n").split("\n"):
            assert line.startswith("\u2014 "), "not a signature line"
            signer, blob = line[2:].split(" ", 1)
            blob = base64.b64decode(blob, validate=True)
            if signer == name and blob[:4].hex() == key_id:
                public.verify(blob[4:], (body + "\n").encode())  # raises when it does not verify
                print(f"signature: checkpoint signed by {name}")
                return 0
        print("FAIL: no signature by the given key")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
