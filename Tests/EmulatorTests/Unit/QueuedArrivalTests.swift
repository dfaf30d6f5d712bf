#if canImport(Glibc)
import Glibc
#endif
import CMicroHTTPD
import Testing

@testable import Emulator

/// The kernel's stamp of bytes waiting on a socket at accept, and when a first request may count
/// from it.
struct QueuedArrivalTests {
    @Test func aRequestWhollyWaitingCountsFromTheStamp() {
        let queued = ConnectionNote.QueuedData(bytes: 300, lastArrival: 42)
        #expect(ConnectionNote.arrival(of: 300, from: queued) == 42)
        // a second request waiting behind it only makes the stamp later
        #expect(ConnectionNote.arrival(of: 120, from: queued) == 42)
    }

    @Test func aRequestPartlyWaitingDoesNot() {
        let queued = ConnectionNote.QueuedData(bytes: 300, lastArrival: 42)
        #expect(ConnectionNote.arrival(of: 301, from: queued) == nil)
        #expect(ConnectionNote.arrival(of: 0, from: queued) == nil)
    }

    @Test func aNoteGivesWhatWaitedOnce() {
        let note = ConnectionNote(overLimit: false, queued: .init(bytes: 10, lastArrival: 7))
        #expect(note.takeQueued() == .init(bytes: 10, lastArrival: 7))
        #expect(note.takeQueued() == nil)
    }

    /// Over real loopback TCP: a listening socket with receive stamps, a client that writes twice
    /// 20 ms apart before the server accepts. The peek counts both writes, consumes nothing, and
    /// its stamp is the second write's, not the first's.
    @Test func thePeekCountsEveryWaitingByteAndStampsTheLast() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var on: Int32 = 1
        #expect(setsockopt(listener, SOL_SOCKET, SO_TIMESTAMPNS, &on, socklen_t(MemoryLayout<Int32>.size)) == 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(listener, p, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, p, &length) == 0
            }
        }
        #expect(bound)
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) == 0 }
        }
        #expect(connected)
        let head = [UInt8](repeating: 65, count: 200)
        let body = [UInt8](repeating: 66, count: 100)
        #expect(write(client, head, head.count) == head.count)
        usleep(20_000)
        let secondWrite = MonotonicClock.now()
        #expect(write(client, body, body.count) == body.count)
        usleep(10_000)
        let accepted = accept(listener, nil, nil)
        #expect(accepted >= 0)
        defer { close(accepted) }

        var bytes = 0
        let stamp = CMicroHTTPD_socket_queued_arrival_ns(accepted, &bytes)
        #expect(bytes == 300)
        #expect(stamp > 0)
        // the stamp is the second write's (within 5 ms), 20 ms after the first
        #expect(stamp + 5_000_000 > secondWrite && stamp < secondWrite + 5_000_000)
        var buffer = [UInt8](repeating: 0, count: 400)
        #expect(read(accepted, &buffer, buffer.count) == 300)
        // nothing waiting: no stamp
        #expect(CMicroHTTPD_socket_queued_arrival_ns(accepted, &bytes) == 0 && bytes == 0)
    }
}
