/// An address or network (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`, or `loopback`) that client
/// addresses are checked against, for `--admin-bind`.
public struct AddressRange: Sendable, Equatable {
    let bytes: [UInt8]
    let prefixBits: Int

    /// Parses one range; nil when it is not an address or CIDR network.
    public static func parse(_ text: String) -> [AddressRange]? {
        let t = text.trimmingCharacters(in: " ")
        if t == "loopback" || t == "localhost" {
            return [AddressRange(bytes: [127, 0, 0, 0], prefixBits: 8), AddressRange(bytes: Array(repeating: 0, count: 15) + [1], prefixBits: 128)]
        }
        let parts = t.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let bytes = AddressRange.bytes(of: String(first)) else { return nil }
        let bits = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let bits, bits >= 0, bits <= bytes.count * 8 else { return nil }
        return [AddressRange(bytes: bytes, prefixBits: bits)]
    }

    public func contains(_ address: String) -> Bool {
        guard var candidate = AddressRange.bytes(of: address) else { return false }
        // IPv4-mapped IPv6 (::ffff:a.b.c.d) compares as IPv4.
        if candidate.count == 16 && bytes.count == 4 && candidate[0..<10].allSatisfy({ $0 == 0 })
            && candidate[10] == 0xFF && candidate[11] == 0xFF {
            candidate = Array(candidate[12...])
        }
        guard candidate.count == bytes.count else { return false }
        var bits = prefixBits
        for i in 0..<bytes.count where bits > 0 {
            let take = min(8, bits)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if candidate[i] & mask != bytes[i] & mask { return false }
            bits -= take
        }
        return true
    }

    /// The bytes of an IPv4 or IPv6 literal.
    static func bytes(of text: String) -> [UInt8]? {
        if text.contains(":") { return ipv6(text) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard let v = UInt8(p) else { return nil }
            out.append(v)
        }
        return out
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: Substring) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let pieces = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains("."), let v4 = bytes(of: String(piece)) {
                    out.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    out.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                } else {
                    guard let v = UInt16(piece, radix: 16) else { return nil }
                    out.append(v)
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        let tail = halves.count == 2 ? groups(halves[1]) : []
        guard let tail else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 0 : missing == 0 else { return nil }
        let all = head + Array(repeating: 0, count: missing) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}

extension Substring {
    func components(separatedBy separator: String) -> [Substring] {
        var out: [Substring] = []
        var rest = self
        while let r = rest.range(of: separator) {
            out.append(rest[..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        out.append(rest)
        return out
    }
}
