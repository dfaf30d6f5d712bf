#if canImport(Glibc)
import Glibc
#endif

/// Reads whole files without Foundation.
public enum FileReader {
    /// The file's bytes, or nil when it cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n > 0 { out.append(contentsOf: buffer[0..<n]) }
            if n < buffer.count { break }
        }
        return ferror(f) == 0 ? out : nil
    }
}

/// A configuration file that cannot be used.
public enum ConfigurationError: Error, CustomStringConvertible {
    case unreadable(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read \(path)"
        case .invalid(let path, let why): return "\(path): \(why)"
        }
    }
}
