import Testing

@testable import Emulator

struct EmbeddingsEndpointTests {
    private let endpoint = EmbeddingsEndpoint(
        tokenizers: EndpointTestSupport.tokenizers, dimensions: ["tiny-embedder": 64])

    private func call(_ body: String) throws -> JSONValue {
        try EndpointTestSupport.json(try endpoint.handle(EndpointTestSupport.post("/v1/embeddings", body)))
    }

    private func vectors(_ answer: JSONValue) -> [[Double]] {
        (answer["data"]?.arrayValue ?? []).map { item in
            (item["embedding"]?.arrayValue ?? []).compactMap(\.doubleValue)
        }
    }

    private func vector(_ text: String, model: String = "text-embedding-3-small", extra: String = "") throws
        -> [Double]
    {
        let answer = try call(#"{"model":"\#(model)","input":\#(JSONValue.string(text).jsonString)\#(extra)}"#)
        return try #require(vectors(answer).first)
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test func answersTheRealShape() throws {
        let answer = try call(#"{"model":"text-embedding-3-small","input":["one two","three"],"user":"u"}"#)
        #expect(answer["object"]?.stringValue == "list")
        #expect(answer["model"]?.stringValue == "text-embedding-3-small")
        let data = try #require(answer["data"]?.arrayValue)
        #expect(data.count == 2)
        for (i, item) in data.enumerated() {
            #expect(item["object"]?.stringValue == "embedding")
            #expect(item["index"]?.intValue == i)
        }
        #expect(answer["usage"]?["prompt_tokens"]?.intValue == 3)
        #expect(answer["usage"]?["total_tokens"]?.intValue == 3)
    }

    @Test(arguments: [
        ("text-embedding-3-small", 1536), ("text-embedding-3-large", 3072), ("text-embedding-ada-002", 1536),
        ("some-other-embedder", 1536), ("tiny-embedder", 64),
    ])
    func nativeSizes(model: String, size: Int) throws {
        let v = try vector("hello world", model: model)
        #expect(v.count == size)
        #expect(abs(Self.dot(v, v) - 1) < 1e-5)
    }

    @Test func vectorsAreUnitLengthAndDeterministic() throws {
        for text in ["a", " ", "The quick brown fox", String(repeating: "lorem ipsum ", count: 200), "日本語のテキスト"] {
            let a = try vector(text)
            let b = try vector(text)
            #expect(a == b)
            #expect(abs(Self.dot(a, a) - 1) < 1e-5)
        }
        #expect(try vector("same text", model: "text-embedding-3-small") != vector("same text", model: "other"))
    }

    @Test func similarTextsAreCloser() throws {
        let fox = try vector("The quick brown fox jumps over the lazy dog")
        let variant = try vector("A quick brown fox jumped over the lazy dogs")
        let finance = try vector("Quarterly earnings beat analyst expectations as interest rates rose")
        let near = Self.dot(fox, variant)
        let far = Self.dot(fox, finance)
        #expect(near > far + 0.3)
        #expect(near > 0.5)
        #expect(abs(far) < 0.3)
    }

    @Test func dimensionsTruncateAndRenormalise() throws {
        let full = try vector("truncate me please")
        let short = try vector("truncate me please", extra: #","dimensions":256"#)
        #expect(short.count == 256)
        #expect(abs(Self.dot(short, short) - 1) < 1e-5)
        let norm = Self.dot(Array(full.prefix(256)), Array(full.prefix(256))).squareRoot()
        for (s, f) in zip(short, full.prefix(256)) { #expect(abs(s - f / norm) < 1e-6) }
        let one = try vector("x", extra: #","dimensions":1"#)
        #expect(one.count == 1 && abs(abs(one[0]) - 1) < 1e-6)
        let large = try vector("x", model: "text-embedding-3-large", extra: #","dimensions":3072"#)
        #expect(large.count == 3072)
    }

    @Test func base64MatchesFloats() throws {
        let floats = try vector("encode me", extra: #","encoding_format":"float""#)
        let answer = try call(#"{"model":"text-embedding-3-small","input":"encode me","encoding_format":"base64"}"#)
        let text = try #require(answer["data"]?.arrayValue?.first?["embedding"]?.stringValue)
        let bytes = EndpointTestSupport.base64Decode(text)
        #expect(bytes.count == 1536 * 4)
        for (i, f) in floats.enumerated() {
            var bits: UInt32 = 0
            for k in 0..<4 { bits |= UInt32(bytes[i * 4 + k]) << UInt32(8 * k) }
            let decoded = Float(bitPattern: bits)
            #expect(decoded == Float(f), "element \(i)")
        }
    }

    @Test func tokenArrays() throws {
        let one = try call(#"{"model":"text-embedding-3-small","input":[1,2,3,4]}"#)
        #expect(vectors(one).count == 1)
        #expect(one["usage"]?["prompt_tokens"]?.intValue == 4)
        let many = try call(#"{"model":"text-embedding-3-small","input":[[1,2],[3],[1,2]]}"#)
        let v = vectors(many)
        #expect(v.count == 3)
        #expect(v[0] == v[2])
        #expect(many["usage"]?["prompt_tokens"]?.intValue == 5)
        let limit = "[" + Array(repeating: "7", count: 8192).joined(separator: ",") + "]"
        _ = try call(#"{"model":"text-embedding-3-small","input":\#(limit)}"#)
    }

    @Test func acceptsTheMaximumBatch() throws {
        let inputs = Array(repeating: #""short text""#, count: 2048).joined(separator: ",")
        let answer = try call(#"{"model":"text-embedding-3-small","input":[\#(inputs)],"dimensions":8}"#)
        #expect(vectors(answer).count == 2048)
    }

    static let badRows: [(body: String, param: String?, message: String)] = [
        (#"{"model":"text-embedding-3-small"}"#, "input", "Missing required parameter: 'input'."),
        (#"{"input":"x"}"#, "model", "Missing required parameter: 'model'."),
        (#"{"model":5,"input":"x"}"#, "model", "Invalid type for 'model'"),
        (#"{"model":"text-embedding-3-small","input":""}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":[]}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":["a",""]}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":5}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":{"a":1}}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":["a",1]}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":[1,"a"]}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":[-1]}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":[1.5]}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":[[1],[]]}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-3-small","input":[true]}"#, "input", "'$.input' is invalid."),
        (#"{"model":"text-embedding-ada-002","input":"x","dimensions":256}"#, "dimensions",
         "This model does not support specifying dimensions."),
        (#"{"model":"text-embedding-3-small","input":"x","dimensions":0}"#, "dimensions",
         "Invalid 'dimensions': integer below minimum value."),
        (#"{"model":"text-embedding-3-small","input":"x","dimensions":1537}"#, "dimensions",
         "Invalid 'dimensions': integer above maximum value. Expected a value <= 1536"),
        (#"{"model":"text-embedding-3-small","input":"x","dimensions":"8"}"#, "dimensions",
         "Invalid type for 'dimensions'"),
        (#"{"model":"text-embedding-3-small","input":"x","encoding_format":"hex"}"#, "encoding_format",
         "Invalid value: 'hex'."),
        (#"{"model":"text-embedding-3-small","input":"x","user":1}"#, "user", "Invalid type for 'user'"),
        ("[1]", nil, "Invalid request body"),
    ]

    @Test(arguments: badRows)
    func rejectsBadInput(row: (body: String, param: String?, message: String)) throws {
        let error = try #require(
            EndpointTestSupport.failure { () throws(APIError) in
                try endpoint.handle(EndpointTestSupport.post("/v1/embeddings", row.body))
            })
        #expect(error.status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.param == row.param)
        #expect(error.message.hasPrefix(row.message), "\(error.message)")
    }

    @Test func rejectsTooManyInputsAndTokens() throws {
        let strings = Array(repeating: #""a""#, count: 2049).joined(separator: ",")
        let tooMany = try #require(
            EndpointTestSupport.failure { () throws(APIError) in
                try endpoint.handle(
                    EndpointTestSupport.post("/v1/embeddings", #"{"model":"m","input":[\#(strings)]}"#))
            })
        #expect(tooMany.message == "Invalid 'input': array length must be 2048 or less.")
        let arrays = Array(repeating: "[1]", count: 2049).joined(separator: ",")
        #expect(
            EndpointTestSupport.failure { () throws(APIError) in
                try endpoint.handle(EndpointTestSupport.post("/v1/embeddings", #"{"model":"m","input":[\#(arrays)]}"#))
            }?.param == "input")
        let tokens = Array(repeating: "7", count: 8193).joined(separator: ",")
        let longTokens = try #require(
            EndpointTestSupport.failure { () throws(APIError) in
                try endpoint.handle(EndpointTestSupport.post("/v1/embeddings", #"{"model":"m","input":[\#(tokens)]}"#))
            })
        #expect(longTokens.message == "Invalid 'input': maximum context length is 8192 tokens.")
        let words = String(repeating: "word ", count: 8193)
        let longText = try #require(
            EndpointTestSupport.failure { () throws(APIError) in
                try endpoint.handle(
                    EndpointTestSupport.post("/v1/embeddings", #"{"model":"m","input":["ok","\#(words)"]}"#))
            })
        #expect(longText.message == "Invalid 'input': maximum context length is 8192 tokens.")
    }
}

struct FloatJSONTests {
    @Test func roundTripsThroughDoubleAndIsShortest() throws {
        var rng = SeededRandom(seed: 42)
        var samples: [Float] = [1, -1, 0.5, 0.1, 1e-5, -3.4e38, 1.17549435e-38, 1e-45, 123456.7, 0.3, 2.5e-7, 65504]
        for _ in 0..<20_000 {
            samples.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())))
            samples.append(Float(rng.unit() * 0.2 - 0.1))
        }
        for f in samples where f.isFinite {
            var w = JSONWriter(capacity: 32)
            w.float(f)
            let text = String(decoding: w.bytes, as: UTF8.self)
            let parsed = try #require(try JSONParser.parse(text).doubleValue, "\(text)")
            #expect(Float(parsed) == f, "\(f) written as \(text)")
            #expect(Self.significant(text) <= Self.significant(f.magnitude.description) + 1, "\(text) vs \(f)")
        }
        var w = JSONWriter()
        w.float(0)
        w.raw(",")
        w.float(-0.0)
        w.raw(",")
        w.float(.nan)
        #expect(String(decoding: w.bytes, as: UTF8.self) == "0.0,-0.0,null")
    }

    /// The number of significant digits of a decimal.
    static func significant(_ text: String) -> Int {
        let digits = text.split(separator: "e")[0].filter(\.isNumber)
        return max(1, digits.drop { $0 == "0" }.reversed().drop { $0 == "0" }.count)
    }

    @Test func base64EncodesAllPaddings() {
        let cases: [(String, String)] = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in cases {
            var out = JSONWriter(capacity: 16)
            Array(plain.utf8).withUnsafeBytes { Base64Encoder.append($0, to: &out) }
            #expect(String(decoding: out.finish(), as: UTF8.self) == encoded)
        }
    }
}
