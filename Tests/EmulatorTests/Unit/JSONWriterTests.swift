import Testing

@testable import Emulator

@Suite struct JSONWriterTests {
    func written(_ body: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        body(&w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    @Test func escapesStrings() {
        #expect(written { $0.string("a\"b\\c") } == #""a\"b\\c""#)
        #expect(written { $0.string("line\nret\rtab\t") } == #""line\nret\rtab\t""#)
        #expect(written { $0.string("\u{00}\u{01}\u{08}\u{0C}\u{1F}") } == #""\u0000\u0001\u0008\u000c\u001f""#)
        #expect(written { $0.string("/ é 中 🚀 \u{7F}") } == "\"/ é 中 🚀 \u{7F}\"")
        #expect(written { $0.string("") } == #""""#)
    }

    @Test func escapedStringsParseBackToTheOriginal() throws {
        let samples = ["plain", "q\"uote", "back\\slash", "ctl\u{01}\u{1F}", "mixed\n\t\r 日本 🎉", String(repeating: "\\\"", count: 50)]
        for s in samples {
            #expect(try JSONParser.parse(written { $0.string(s) }) == .string(s))
        }
    }

    @Test func writesNumbers() {
        #expect(written { $0.int(0) } == "0")
        #expect(written { $0.int(-42) } == "-42")
        #expect(written { $0.int(Int64.max) } == "9223372036854775807")
        #expect(written { $0.int(Int64.min) } == "-9223372036854775808")
        #expect(written { $0.double(2.0) } == "2")
        #expect(written { $0.double(-0.5) } == "-0.5")
        #expect(written { $0.double(.nan) } == "null")
        #expect(written { $0.double(.infinity) } == "null")
    }

    @Test func writesValuesInOrder() throws {
        let value: JSONValue = ["z": 1, "a": [true, nil, "s\"", 1.5], "o": [:]]
        let text = written { $0.value(value) }
        #expect(text == #"{"z":1,"a":[true,null,"s\"",1.5],"o":{}}"#)
        #expect(try JSONParser.parse(text) == value)
        #expect(value.jsonString == text)
    }

    @Test func growsPastItsFirstCapacity() {
        var w = JSONWriter(capacity: 16)
        var expected = ""
        for i in 0..<500 {
            w.raw("{\"n\":"); w.int(i * 7919 - 1_000_000); w.raw(",\"s\":"); w.string("é\"\(i)"); w.byte(UInt8(ascii: "}"))
            expected += #"{"n":\#(i * 7919 - 1_000_000),"s":"é\"\#(i)"}"#
        }
        #expect(w.count == expected.utf8.count)
        #expect(w[0] == UInt8(ascii: "{"))
        #expect(String(decoding: w.finish(), as: UTF8.self) == expected)
    }

    @Test func framesAroundAQuotedText() throws {
        let text = Array("a\"b\n\u{01}é".utf8)
        let frame = text.withUnsafeBufferPointer { JSONWriter.bytes(Array("<".utf8), quoting: $0, Array(">".utf8)) }
        #expect(String(decoding: frame, as: UTF8.self) == #"<"a\"b\n\u0001é">"#)
        let bare = text.withUnsafeBufferPointer { JSONWriter.bytes([], quoting: $0, []) }
        #expect(try JSONParser.parse(bare) == .string("a\"b\n\u{01}é"))
    }

    @Test func optionalStrings() {
        #expect(written { $0.optionalString(nil) } == "null")
        #expect(written { $0.optionalString("x") } == #""x""#)
    }
}
