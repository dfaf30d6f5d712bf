import Testing

@testable import Emulator

/// The estimator's cache of recent texts.
struct RecentTextsTests {
    let texts = (0..<400).map { "text number \($0)" }

    @Test func storedTextsAreFound() {
        let cache = RecentTexts()
        for (i, text) in texts.enumerated() {
            cache.store(text, count: i)
            #expect(cache.count(text) == i)
        }
        cache.store("a", pieces: [])
        #expect(cache.pieces("a") != nil)
        #expect(cache.pieces("b") == nil)
        let long = String(repeating: "x", count: RecentTexts.maxBytes + 1)
        cache.store(long, count: 1)
        #expect(cache.count(long) == nil)
    }

    /// Two texts that share their first slot (a request's prompt and its answer, say) both stay cached
    /// while they alternate, instead of evicting each other on every request.
    @Test func twoTextsSharingASlotBothStay() throws {
        let cache = RecentTexts()
        var byFirstSlot: [Int: String] = [:]
        var pair: (String, String)?
        for text in texts {
            let slot = try #require(cache.slotIndexes(text)).first
            if let other = byFirstSlot[slot] { pair = (other, text); break }
            byFirstSlot[slot] = text
        }
        let (a, b) = try #require(pair)
        let indexes = try #require(cache.slotIndexes(a))
        #expect(indexes.first != indexes.second)
        cache.store(a, count: 1)
        cache.store(b, count: 2)
        for _ in 0..<3 {
            #expect(cache.count(a) == 1)
            #expect(cache.count(b) == 2)
        }
    }
}
