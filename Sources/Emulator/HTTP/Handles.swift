import CMicroHTTPD

/// A libmicrohttpd daemon pointer.
/// `@unchecked Sendable`: MHD's daemon functions are thread-safe; ownership is `HTTPServer`'s.
struct DaemonHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// A libmicrohttpd connection pointer, borrowed from MHD.
/// `@unchecked Sendable`: only `MHD_resume_connection` is called off the MHD thread, which MHD
/// allows from any thread; the stream's lock guarantees the connection is still suspended then.
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
