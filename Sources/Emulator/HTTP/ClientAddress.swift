#if canImport(Glibc)
import Glibc
#endif

/// A client's IP address as the socket gave it: copied with each request, written out as text
/// only when something reads it (the admin API's address check).
public struct ClientAddress: Sendable, Equatable {
    /// 4, 6, or 0 when unknown.
    public let family: UInt8
    private let bytes: (UInt64, UInt64)

    public static let unknown = ClientAddress(family: 0, bytes: (0, 0))

    private init(family: UInt8, bytes: (UInt64, UInt64)) {
        self.family = family
        self.bytes = bytes
    }

    public static func == (a: ClientAddress, b: ClientAddress) -> Bool {
        a.family == b.family && a.bytes == b.bytes
    }

    /// From the address bytes a socket reports (4 for IPv4, 16 for IPv6 in `raw`).
    init(family: UInt8, raw: (UInt64, UInt64)) {
        self.init(family: family == 4 || family == 6 ? family : 0, bytes: family == 4 || family == 6 ? raw : (0, 0))
    }

    /// Parses "127.0.0.1" or "::1"; unknown for anything else (and for "").
    public init(text: String) {
        var raw: (UInt64, UInt64) = (0, 0)
        let family: UInt8 = withUnsafeMutableBytes(of: &raw) { out in
            if inet_pton(AF_INET, text, out.baseAddress) == 1 { return 4 }
            if inet_pton(AF_INET6, text, out.baseAddress) == 1 { return 6 }
            return 0
        }
        self.init(family: family, raw: raw)
    }

    /// "127.0.0.1", "::1", or "" when unknown.
    public var text: String {
        guard family != 0 else { return "" }
        var raw = bytes
        var out: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeBytes(of: &raw) { address in
            withUnsafeMutableBytes(of: &out) { buffer -> String in
                let chars = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
                let af = family == 4 ? AF_INET : AF_INET6
                guard inet_ntop(af, address.baseAddress, chars, socklen_t(buffer.count)) != nil else { return "" }
                return String(cString: chars)
            }
        }
    }
}
