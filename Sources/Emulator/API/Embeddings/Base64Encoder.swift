/// Standard base64 encoding with `=` padding, appended straight onto a byte buffer.
enum Base64Encoder {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the base64 text of `input` to `output`.
    static func append(_ input: UnsafeRawBufferPointer, to output: inout JSONWriter) {
        let n = input.count
        _ = output.reserve((n + 2) / 3 * 4)
        alphabet.withUnsafeBufferPointer { table in
            var i = 0
            while i + 3 <= n {
                let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                output.byte(table[Int(v >> 18)])
                output.byte(table[Int(v >> 12 & 63)])
                output.byte(table[Int(v >> 6 & 63)])
                output.byte(table[Int(v & 63)])
                i += 3
            }
            let rest = n - i
            guard rest > 0 else { return }
            let v = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
            output.byte(table[Int(v >> 18)])
            output.byte(table[Int(v >> 12 & 63)])
            output.byte(rest == 2 ? table[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            output.byte(UInt8(ascii: "="))
        }
    }

    /// Appends the base64 text of `values` as little-endian IEEE-754 float32 bytes.
    static func appendLittleEndian(_ values: UnsafeBufferPointer<Float>, to output: inout JSONWriter) {
        #if _endian(little)
        append(UnsafeRawBufferPointer(values), to: &output)
        #else
        let swapped = values.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
        swapped.withUnsafeBytes { append($0, to: &output) }
        #endif
    }
}
