/// Parses token counts written `N` or `MIN-MAX`.
public enum TokenRange {
    public static func parse(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        guard let low = Int(parts[0].trimmingCharacters(in: " ")), low >= 0 else { return nil }
        guard parts.count == 2 else { return low...low }
        guard let high = Int(parts[1].trimmingCharacters(in: " ")), high >= low else { return nil }
        return low...high
    }
}
