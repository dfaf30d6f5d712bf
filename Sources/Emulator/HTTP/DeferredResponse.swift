/// An answer that is decided after the handler returned (a request waiting in a queue). The
/// transport suspends the connection and resumes it when `resolve` is called.
public final class DeferredResponse: Sendable {
    private enum State {
        case pending(waker: (@Sendable () -> Void)?)
        case resolved(HTTPResponse, taken: Bool)
    }

    private let state = Locked(State.pending(waker: nil))

    public init() {}

    /// Sets the answer; the first call wins. Callable from any thread.
    public func resolve(_ response: HTTPResponse) {
        let waker: (@Sendable () -> Void)? = state.withLock { s in
            guard case .pending(let waker) = s else { return nil }
            s = .resolved(response, taken: false)
            return waker
        }
        waker?()
    }

    public var isResolved: Bool {
        state.withLock { if case .resolved = $0 { return true } else { return false } }
    }

    /// The transport registers how to wake the connection. Returns false when the answer is
    /// already there (the caller must wake the connection itself).
    func attach(waker: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { s in
            guard case .pending = s else { return false }
            s = .pending(waker: waker)
            return true
        }
    }

    /// The answer, once, after it was resolved.
    func take() -> HTTPResponse? {
        state.withLock { s in
            guard case .resolved(let r, false) = s else { return nil }
            s = .resolved(r, taken: true)
            return r
        }
    }
}
