#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import Emulator

/// The process's `recv`: the same reads as libc's, plus the kernel's receive stamp of the bytes
/// read, over real loopback TCP.
struct ReceiveStampTests {
    /// A connected pair over 127.0.0.1 whose server side stamps what it receives.
    func stampedPair() -> (client: Int32, server: Int32) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var on: Int32 = 1
        #expect(setsockopt(listener, SOL_SOCKET, SO_TIMESTAMPNS, &on, socklen_t(MemoryLayout<Int32>.size)) == 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(listener, p, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, p, &length) == 0
                    && connect(client, p, length) == 0
            }
        }
        #expect(connected)
        let server = accept(listener, nil, nil)
        #expect(server >= 0)
        waitForStamps(client, server)
        return (client, server)
    }

    /// The kernel switches receive stamps on for the whole system only after the first socket asks
    /// (`net_enable_timestamp` defers it to a work queue), so bytes sent right after can arrive
    /// unstamped. Exchanges single bytes until one arrives stamped (for at most two seconds).
    func waitForStamps(_ client: Int32, _ server: Int32) {
        var byte: UInt8 = 0
        for _ in 0..<400 {
            send(client, 1)
            #expect(stampedRecv(server, &byte, 1, 0) == 1)
            if ReceiveStamps.table[Int(server)] != 0 { return }
            usleep(5_000)
        }
        Issue.record("no receive stamp arrived within two seconds")
    }

    func send(_ fd: Int32, _ count: Int) {
        let bytes = [UInt8](repeating: 65, count: count)
        #expect(write(fd, bytes, count) == count)
    }

    /// Two writes 20 ms apart, read at once: every byte comes back, and the stamp is the second
    /// write's (the last segment read), not the first's.
    @Test func aReadKeepsTheStampOfItsLastBytes() {
        let (client, server) = stampedPair()
        defer { close(client); close(server) }
        send(client, 200)
        usleep(20_000)
        let secondWrite = MonotonicClock.now()
        send(client, 100)
        usleep(10_000)
        var buffer = [UInt8](repeating: 0, count: 400)
        #expect(stampedRecv(server, &buffer, buffer.count, 0) == 300)
        let stamp = ReceiveStamps.stamp(fd: server)
        #expect(stamp + 5_000_000 > secondWrite && stamp < secondWrite + 5_000_000, "stamp \(stamp), write \(secondWrite)")
    }

    /// Flags mean what they mean to `recv`: a peek leaves the bytes for the next read, and a read
    /// with nothing waiting fails with EAGAIN and keeps the previous stamp.
    @Test func flagsAndErrorsAreRecvs() {
        let (client, server) = stampedPair()
        defer { close(client); close(server) }
        send(client, 10)
        usleep(10_000)
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(stampedRecv(server, &buffer, buffer.count, Int32(MSG_PEEK)) == 10)
        #expect(stampedRecv(server, &buffer, buffer.count, 0) == 10)
        let stamp = ReceiveStamps.stamp(fd: server)
        #expect(stamp > 0)
        let kept = ReceiveStamps.table[Int(server)]
        #expect(stampedRecv(server, &buffer, buffer.count, Int32(MSG_DONTWAIT)) == -1)
        #expect(errno == EAGAIN)
        #expect(ReceiveStamps.table[Int(server)] == kept)
    }

    /// A socket that does not stamp its bytes (here a Unix socket pair) reads as ever and leaves no
    /// stale stamp behind.
    @Test func anUnstampedReadClearsTheStamp() {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        ReceiveStamps.table[Int(fds[1])] = 42
        send(fds[0], 5)
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(stampedRecv(fds[1], &buffer, buffer.count, 0) == 5)
        #expect(ReceiveStamps.table[Int(fds[1])] == 0)
    }
}
