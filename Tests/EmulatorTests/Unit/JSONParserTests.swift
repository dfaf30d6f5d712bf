import Testing

@testable import Emulator

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let v = try JSONParser.parse(#" {"a": [1, -2.5, 3e2, 0, -0, 1E-2], "b": {"c": null}, "t": true, "f": false, "s": "x"} "#)
        #expect(v["a"] == [1, -2.5, 300, 0, 0, 0.01])
        #expect(v["b"]?["c"] == .null)
        #expect(v["t"] == true && v["f"] == false && v["s"] == "x")
        #expect(try JSONParser.parse("[]") == [])
        #expect(try JSONParser.parse("{}") == .object(JSONObject()))
        #expect(try JSONParser.parse("\"\"") == "")
        #expect(try JSONParser.parse("12345678901234567890") == .number(12345678901234567890))
    }

    @Test func keepsKeyOrderAndTheLastDuplicateWins() throws {
        let v = try JSONParser.parse(#"{"z":1,"a":2,"z":3}"#)
        #expect(v.objectValue?.keys == ["z", "a", "z"])
        #expect(v["z"] == 3)
    }

    @Test func decodesEscapes() throws {
        let v = try JSONParser.parse(#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \u4e2d""#)
        #expect(v == .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t é 中"))
    }

    @Test func joinsSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude80""#) == "🚀")
        #expect(try JSONParser.parse(#""\uD83D\uDE80x""#) == "🚀x")
    }

    @Test func replacesLoneSurrogates() throws {
        #expect(try JSONParser.parse(#""\ud83d""#) == "\u{FFFD}")
        #expect(try JSONParser.parse(#""\ude80 ""#) == "\u{FFFD} ")
        #expect(try JSONParser.parse(#""\ud83d\u0041""#) == "\u{FFFD}A")
    }

    @Test func acceptsRawUTF8() throws {
        #expect(try JSONParser.parse(Array("\"日本 🎉\"".utf8)) == "日本 🎉")
    }

    @Test func skipsAByteOrderMark() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("{\"a\":1}".utf8))["a"] == 1)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0xEF, 0xBB, 0xBF]) }
    }

    @Test(arguments: [
        "", "   ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "{a:1}", "01", "1.", ".5", "-", "+1", "1e", "NaN",
        "Infinity", "tru", "nul", "\"abc", "\"a\\x\"", "\"\\u12g4\"", "[1 2]", "{\"a\" 1}", "1 2", "{} x",
        "\"tab\there\"", "\"line\nbreak\"", "[", "]", "{\"a\":}", "//", "\"\\u12\"",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x22]) }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]) }
    }

    @Test func errorsNameTheOffset() throws {
        do {
            _ = try JSONParser.parse("[1, 2, x]")
            Issue.record("parsed")
        } catch {
            #expect(error.offset == 7)
            #expect(error.description.contains("7"))
        }
    }

    @Test func enforcesTheDepthLimit() throws {
        let ok = String(repeating: "[", count: JSONParser.defaultMaxDepth) + String(repeating: "]", count: JSONParser.defaultMaxDepth)
        #expect(throws: Never.self) { try JSONParser.parse(ok) }
        let tooDeep = String(repeating: "[", count: JSONParser.defaultMaxDepth + 1) + String(repeating: "]", count: JSONParser.defaultMaxDepth + 1)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(tooDeep) }
        let objects = String(repeating: "{\"a\":", count: 5) + "1" + String(repeating: "}", count: 5)
        #expect(throws: Never.self) { try JSONParser.parse(objects, maxDepth: 5) }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(objects, maxDepth: 4) }
        // Hostile nesting fails cleanly instead of overflowing the stack.
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(hostile) }
    }

    @Test func typeNamesForMessages() throws {
        #expect(JSONValue.number(3).typeName == "integer")
        #expect(JSONValue.number(3.5).typeName == "number")
        #expect(JSONValue.string("").typeName == "string")
        #expect(JSONValue.array([]).typeName == "array")
        #expect(JSONValue.null.typeName == "null")
        #expect(JSONValue.bool(true).typeName == "boolean")
    }
}
