import Testing

@testable import Emulator

/// The request arrival the transport derives from TCP_INFO's age of the last received bytes.
struct ArrivalEstimateTests {
    let ms: UInt64 = 1_000_000
    let tick: UInt64 = 4_000_000

    @Test func anAgeOfZeroOrAnErrorGivesTheFirstCallback() {
        let received: UInt64 = 1_000 * ms
        #expect(ServerContext.latestArrival(receivedAt: received, ageMs: 0, now: received + 30 * ms, tickNanos: tick) == received)
        #expect(ServerContext.latestArrival(receivedAt: received, ageMs: -1, now: received + 30 * ms, tickNanos: tick) == received)
    }

    /// Bytes that waited three ticks before the first callback: the estimate is the end of the tick
    /// that holds `now - age`, which the bytes cannot have come after.
    @Test func anAgedRequestCountsFromTheEndOfItsTick() {
        let now: UInt64 = 1_000 * ms
        let estimate = ServerContext.latestArrival(receivedAt: now - ms, ageMs: 12, now: now, tickNanos: tick)
        #expect(estimate == now - 12 * ms + tick)
    }

    /// Whatever the tick phase, the estimate is never earlier than any arrival the age allows: with
    /// `now` in tick N and the bytes in tick N - k, the bytes came before tick N - k ended.
    @Test func neverEarlierThanTheTruth() {
        let phase: UInt64 = 1_234_567
        for k in 1...5 {
            for nowOffset in stride(from: 0, to: tick, by: 250_000) {
                for arrivalOffset in stride(from: 0, to: tick, by: 250_000) {
                    let tickOfNow = phase + 100 * tick
                    let now = tickOfNow + nowOffset
                    let arrival = tickOfNow - UInt64(k) * tick + arrivalOffset
                    let estimate = ServerContext.latestArrival(
                        receivedAt: now, ageMs: k * 4, now: now, tickNanos: tick)
                    #expect(estimate >= arrival)
                    #expect(estimate - arrival < 2 * tick)
                }
            }
        }
    }
}
