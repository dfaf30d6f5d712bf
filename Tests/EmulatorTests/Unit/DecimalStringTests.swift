import Testing

@testable import Emulator

struct DecimalStringTests {
    @Test(arguments: [0, 7, 10, 99, 1000, -1, -120, 600_000, Int.max, Int.min])
    func writesWhatDescriptionWrites(n: Int) {
        #expect(String(decimal: n) == n.description)
    }

    @Test func durationsUseTheDigits() {
        #expect(RateLimiter.duration(120_000_000) == "120ms")
        #expect(RateLimiter.duration(1) == "1ms")
        #expect(RateLimiter.duration(999_000_000) == "999ms")
    }
}
