/// Values for the string `format`s a schema may name, each valid for its RFC.
enum StringFormats {
    /// A value in `format`, or `nil` for a format not known here (the string is then unconstrained).
    static func value(for format: String, using rng: inout SeededRandom) -> String? {
        switch format.lowercased() {
        case "date": return date(using: &rng)
        case "date-time", "datetime": return "\(date(using: &rng))T\(time(using: &rng))Z"
        case "time": return "\(time(using: &rng))Z"
        case "duration": return "P\(Int.random(in: 1...30, using: &rng))DT\(Int.random(in: 1...23, using: &rng))H"
        case "email", "idn-email": return PlausibleText.email(using: &rng)
        case "uuid": return uuid(using: &rng)
        case "uri", "url", "iri", "uri-reference", "iri-reference": return PlausibleText.url(using: &rng)
        case "hostname", "idn-hostname": return PlausibleText.hostname(using: &rng)
        case "ipv4": return ipv4(using: &rng)
        case "ipv6": return ipv6(using: &rng)
        case "json-pointer": return "/\(LoremGenerator.word(using: &rng))/\(Int.random(in: 0...9, using: &rng))"
        case "regex": return "^[a-z]+$"
        default: return nil
        }
    }

    static func date(using rng: inout SeededRandom) -> String {
        let year = Int.random(in: 2019...2026, using: &rng)
        let month = Int.random(in: 1...12, using: &rng)
        let day = Int.random(in: 1...28, using: &rng)
        return "\(year)-\(twoDigits(month))-\(twoDigits(day))"
    }

    static func time(using rng: inout SeededRandom) -> String {
        let hour = Int.random(in: 7...20, using: &rng)
        let minute = [0, 15, 30, 45][Int.random(in: 0..<4, using: &rng)]
        return "\(twoDigits(hour)):\(twoDigits(minute)):00"
    }

    static func dateTime(using rng: inout SeededRandom) -> String {
        "\(date(using: &rng))T\(time(using: &rng))Z"
    }

    /// A random version-4 UUID in lowercase.
    static func uuid(using rng: inout SeededRandom) -> String {
        let high = rng.next()
        let low = rng.next()
        var hex = Array(padded(String(high, radix: 16)) + padded(String(low, radix: 16)))
        hex[12] = "4"
        hex[16] = ["8", "9", "a", "b"][Int(low >> 62)]
        let s = String(hex)
        func part(_ from: Int, _ to: Int) -> Substring {
            s[s.index(s.startIndex, offsetBy: from)..<s.index(s.startIndex, offsetBy: to)]
        }
        return "\(part(0, 8))-\(part(8, 12))-\(part(12, 16))-\(part(16, 20))-\(part(20, 32))"
    }

    static func ipv4(using rng: inout SeededRandom) -> String {
        let first = [10, 172, 192, 203][Int.random(in: 0..<4, using: &rng)]
        return "\(first).\(Int.random(in: 0...255, using: &rng)).\(Int.random(in: 0...255, using: &rng))."
            + "\(Int.random(in: 1...254, using: &rng))"
    }

    static func ipv6(using rng: inout SeededRandom) -> String {
        var groups = ["2001", "db8"]
        for _ in 0..<3 { groups.append(String(Int.random(in: 0...0xFFFF, using: &rng), radix: 16)) }
        return groups.joined(separator: ":") + "::" + String(Int.random(in: 1...0xFFFF, using: &rng), radix: 16)
    }

    private static func padded(_ hex: String) -> String { String(repeating: "0", count: max(0, 16 - hex.count)) + hex }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
