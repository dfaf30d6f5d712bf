/// UTF-8 text decoded into parallel arrays of scalar values, classes and byte offsets, so the
/// splitters can look ahead and back by scalar index without re-decoding.
struct ScalarText {
    /// The scalar values.
    var values: [UInt32] = []
    /// The classes of each scalar.
    var classes: [ScalarClass] = []
    /// The byte offset where each scalar starts, plus the total byte count at the end.
    var offsets: [Int] = []

    /// Decodes `bytes`, which must be valid UTF-8 (as every Swift `String` is). Writes the three
    /// arrays in place in one pass, with the class table fetched once: this runs over every answer
    /// and prompt the estimator counts.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        var count = 0
        var classesOut: [ScalarClass] = []
        var offsetsOut: [Int] = []
        values = [UInt32](unsafeUninitializedCapacity: n) { values, valuesCount in
            classesOut = [ScalarClass](unsafeUninitializedCapacity: n) { classes, classesCount in
                offsetsOut = [Int](unsafeUninitializedCapacity: n + 1) { offsets, offsetsCount in
                    basicPlaneClasses.withUnsafeBufferPointer { table in
                        var i = 0
                        while i < n {
                            let (value, width) = ScalarText.decode(bytes, at: i)
                            values[count] = value
                            classes[count] = value < 0x1_0000
                                ? ScalarClass(rawValue: table[Int(value)]) : ScalarClass.compute(value).union(.astral)
                            offsets[count] = i
                            count += 1
                            i += width
                        }
                    }
                    offsets[count] = n
                    offsetsCount = count + 1
                }
                classesCount = count
            }
            valuesCount = count
        }
        classes = classesOut
        offsets = offsetsOut
    }

    /// The scalar starting at byte `i` and its length in bytes.
    @inline(__always)
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F), 3)
        }
        let high = (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
        return (high | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F), 4)
    }

    var count: Int { values.count }
}
