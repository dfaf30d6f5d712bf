/// UTF-8 text decoded into parallel arrays of scalar values, classes and byte offsets, so the
/// splitters can look ahead and back by scalar index without re-decoding.
struct ScalarText {
    /// The scalar values.
    var values: [UInt32] = []
    /// The classes of each scalar.
    var classes: [ScalarClass] = []
    /// The byte offset where each scalar starts, plus the total byte count at the end.
    var offsets: [Int] = []

    /// Decodes `bytes`, which must be valid UTF-8 (as every Swift `String` is).
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        values.reserveCapacity(bytes.count)
        classes.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = UInt32(bytes[i])
            var value: UInt32
            var width: Int
            if b0 < 0x80 {
                value = b0
                width = 1
            } else if b0 < 0xE0 {
                value = (b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                width = 2
            } else if b0 < 0xF0 {
                value = (b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                width = 3
            } else {
                value = (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
                value |= UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F)
                width = 4
            }
            values.append(value)
            classes.append(ScalarClass.of(value))
            offsets.append(i)
            i += width
        }
        offsets.append(n)
    }

    var count: Int { values.count }
}
