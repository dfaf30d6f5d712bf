/// The Unicode classes that the encodings' split patterns test, one bit each.
///
/// `of(_:)` answers from a table built once for the Basic Multilingual Plane, so the splitters
/// never touch `Unicode.Scalar.Properties` on the hot path for ordinary text.
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    /// `\p{L}`: any letter.
    static let letter = ScalarClass(rawValue: 1 << 0)
    /// `\p{N}`: any number.
    static let number = ScalarClass(rawValue: 1 << 1)
    /// `\s`: the White_Space property.
    static let space = ScalarClass(rawValue: 1 << 2)
    /// `[\r\n]`.
    static let newline = ScalarClass(rawValue: 1 << 3)
    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`: o200k's "upper" class.
    static let upper = ScalarClass(rawValue: 1 << 4)
    /// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`: o200k's "lower" class.
    static let lower = ScalarClass(rawValue: 1 << 5)
    /// `\p{M}`: any mark.
    static let mark = ScalarClass(rawValue: 1 << 6)
    /// Four or more UTF-8 bytes (outside the Basic Multilingual Plane).
    static let astral = ScalarClass(rawValue: 1 << 7)

    /// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks and controls.
    @inline(__always) var isSymbol: Bool { rawValue & 0b0111 == 0 }

    /// `[^\r\n\p{L}\p{N}]`.
    @inline(__always) var isNotLetterNumberNewline: Bool { rawValue & 0b1011 == 0 }

    /// The classes of the scalar with this value.
    @inline(__always) static func of(_ value: UInt32) -> ScalarClass {
        if value < 0x1_0000 { return ScalarClass(rawValue: basicPlaneClasses[Int(value)]) }
        return compute(value).union(.astral)
    }

    /// Looks the classes up in the standard library's Unicode data.
    static func compute(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return [] }
        let properties = scalar.properties
        var result: ScalarClass = []
        if properties.isWhitespace { result.insert(.space) }
        if value == 0x0A || value == 0x0D { result.insert(.newline) }
        switch properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: result.formUnion([.letter, .upper])
        case .lowercaseLetter: result.formUnion([.letter, .lower])
        case .modifierLetter, .otherLetter: result.formUnion([.letter, .upper, .lower])
        case .nonspacingMark, .spacingMark, .enclosingMark: result.formUnion([.mark, .upper, .lower])
        case .decimalNumber, .letterNumber, .otherNumber: result.insert(.number)
        default: break
        }
        return result
    }
}

/// The classes of every scalar below U+10000, computed once.
let basicPlaneClasses: [UInt8] = (0..<0x1_0000).map { ScalarClass.compute(UInt32($0)).rawValue }
