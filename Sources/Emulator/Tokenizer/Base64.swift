/// Standard base64 decoding (with `=` padding), enough for tiktoken ranks files.
enum Base64 {
    /// Appends the bytes `text` decodes to onto `output`.
    /// - Returns: `false` when `text` is not valid base64.
    static func decode(_ text: ArraySlice<UInt8>, into output: inout [UInt8]) -> Bool {
        var buffer: UInt32 = 0
        var bits = 0
        var padding = 0
        for c in text {
            let value: UInt32
            switch c {
            case 0x41...0x5A: value = UInt32(c - 0x41)
            case 0x61...0x7A: value = UInt32(c - 0x61 + 26)
            case 0x30...0x39: value = UInt32(c - 0x30 + 52)
            case 0x2B: value = 62
            case 0x2F: value = 63
            case 0x3D:
                padding += 1
                continue
            default: return false
            }
            if padding > 0 { return false }
            buffer = buffer << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return padding <= 2
    }
}
