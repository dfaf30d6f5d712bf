@testable import Emulator

/// Splits text at spaces, one token per word with its leading space: predictable counts.
struct SpaceTokenizer: Tokenizer {
    var name: String { "spaces" }

    func count(_ text: String) -> Int { pieces(text).count }

    func pieces(_ text: String) -> [TokenPiece] {
        var out: [TokenPiece] = []
        var start = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == " " && i != start {
                out.append(TokenPiece(text: text[start..<i], tokens: 1))
                start = i
            }
            i = text.index(after: i)
        }
        if start < text.endIndex { out.append(TokenPiece(text: text[start...], tokens: 1)) }
        return out
    }
}

enum EndpointTestSupport {
    static let tokenizers = TokenizerChoice { _ in SpaceTokenizer() }
    static let anyModel = ModelPolicy(catalogue: ModelCatalogue(), strict: false)

    /// A load model with constant latency and nothing else.
    static func load(ttftMs: Double = 0, itlMs: Double = 0) -> LoadPipeline {
        var s = LoadSettings()
        s.profiles.defaults.ttftMs = .constant(ttftMs)
        s.profiles.defaults.itlMs = .constant(itlMs)
        return LoadPipeline(settings: s, vllmMetrics: false, ids: IDGenerator(seed: 3))
    }

    static func post(_ path: String, _ body: String) -> HTTPRequest {
        HTTPRequest(method: "POST", path: path, headers: [("content-type", "application/json")], body: Array(body.utf8))
    }

    /// The parsed JSON body of a complete answer.
    static func json(_ response: HTTPResponse) throws -> JSONValue {
        guard case .bytes(let bytes) = response.body else { throw EndpointTestFailure("not a complete body") }
        return try JSONParser.parse(bytes)
    }

    /// The error a call throws, or nil.
    static func failure(_ call: () throws(APIError) -> HTTPResponse) -> APIError? {
        do {
            _ = try call()
            return nil
        } catch {
            return error
        }
    }

    /// Decodes standard base64.
    static func base64Decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case 0x41...0x5A: v = UInt32(c - 0x41)
            case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
            case 0x30...0x39: v = UInt32(c - 0x30 + 52)
            case 0x2B: v = 62
            case 0x2F: v = 63
            default: continue
            }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}

struct EndpointTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
