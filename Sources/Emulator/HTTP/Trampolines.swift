#if canImport(Glibc)
import Glibc
#endif
import CMicroHTTPD

/// The C callbacks handed to libmicrohttpd. Each is a capture-free closure that turns its `cls`
/// back into a Swift object and calls a plain method; nothing here throws into C.
/// - Warning: All run on MHD threads, which are not Swift concurrency threads; this type is
///   deliberately nonisolated.
enum Trampolines {
    static let access: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, conCls in
        guard let cls, let connection, let url, let method, let uploadSize, let conCls else { return .NO }
        return server(cls).access(
            connection: connection, url: url, method: method, uploadData: uploadData, uploadSize: uploadSize,
            conCls: conCls)
    }

    static let completed: MHD_RequestCompletedCallback = { cls, _, conCls, code in
        guard let cls else { return }
        server(cls).completed(conCls: conCls, code: code)
    }

    static let notifyConnection: MHD_NotifyConnectionCallback = { cls, _, socketContext, code in
        guard let cls, let socketContext else { return }
        if code == .CONNECTION_NOTIFY_STARTED {
            server(cls).connectionOpened(socketContext: socketContext)
        } else {
            server(cls).connectionClosed(socketContext: socketContext.pointee)
        }
    }

    static let readStream: MHD_ContentReaderCallback = { cls, _, buffer, max in
        guard let cls, let buffer else { return CMicroHTTPD_END_WITH_ERROR }
        return Unmanaged<SSEStream>.fromOpaque(cls).takeUnretainedValue().read(into: buffer, max: max)
    }

    static let freeStream: MHD_ContentReaderFreeCallback = { cls in
        guard let cls else { return }
        let stream = Unmanaged<SSEStream>.fromOpaque(cls).takeRetainedValue()
        stream.server.streamFreed(stream)
    }

    static let collectValue: MHD_KeyValueIterator = { cls, _, key, value in
        guard let cls, let key else { return .YES }
        let collector = cls.assumingMemoryBound(to: HeaderCollector.self)
        let v = value.map { String(cString: $0) } ?? ""
        if collector.pointee.collectingQuery {
            collector.pointee.query.append((String(cString: key), v))
        } else {
            let name = lowercasedASCII(key)
            if name.utf8.starts(with: "x-emulator-".utf8) { collector.pointee.emulatorHeaders = true }
            collector.pointee.headers.append((name, v))
        }
        return .YES
    }

    static let log: MHD_LogCallback = { cls, format, args in
        guard let cls, let format, let args else { return }
        var buffer = [CChar](repeating: 0, count: 512)
        CMicroHTTPD_format_log(&buffer, 512, format, args)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        server(cls).logger.debug("libmicrohttpd: \(text.trimmingSuffixNewlines())")
    }

    /// A header name lowercased in one pass over its bytes (header names are ASCII tokens).
    private static func lowercasedASCII(_ key: UnsafePointer<CChar>) -> String {
        let n = strlen(key)
        return String(unsafeUninitializedCapacity: n) { out in
            UnsafeRawPointer(key).withMemoryRebound(to: UInt8.self, capacity: n) { src in
                for i in 0..<n {
                    let c = src[i]
                    out[i] = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
                }
            }
            return n
        }
    }

    private static func server(_ cls: UnsafeMutableRawPointer) -> ServerContext {
        Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    }
}

extension String {
    func trimmingSuffixNewlines() -> String {
        var s = Substring(self)
        while s.last == "\n" || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
