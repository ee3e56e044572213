internal import Crypto
public import Foundation
public import SluiceCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks that the operator holds the break-glass credential named in the config.
///
/// Accepted: a key file whose SHA-256 is `keyFileSHA256`, which is a regular file (not a symlink) owned by the user
/// running `sluice` and which neither group nor others can read, or the environment variable
/// `SLUICE_BREAK_GLASS_TOKEN` whose SHA-256 is `tokenSHA256`.
public enum BreakGlassAuthority {
    /// The name of the token variable.
    public static let tokenVariable = "SLUICE_BREAK_GLASS_TOKEN"

    /// Returns how the operator proved authority (`key file PATH` or `token`), or throws a refusal saying what is missing.
    public static func check(
        config: BreakGlassConfig, keyFile: String?, environment: [String: String]
    ) throws(BreakGlassRefusal) -> String {
        if let keyFile {
            guard let hash = config.keyFileSHA256 else {
                throw .noCredential(
                    "the break-glass config accepts no key file (spec.credential.keyFileSHA256 is not set)")
            }
            let data = try readKeyFile(keyFile)
            guard sha256Hex(data) == hash else {
                throw .noCredential("the key file \(keyFile) does not match spec.credential.keyFileSHA256")
            }
            return "key file \(keyFile)"
        }
        if let token = environment[tokenVariable], !token.isEmpty {
            guard let hash = config.tokenSHA256 else {
                throw .noCredential("the break-glass config accepts no token (spec.credential.tokenSHA256 is not set)")
            }
            guard sha256Hex(Data(token.utf8)) == hash else {
                throw .noCredential("\(tokenVariable) does not match spec.credential.tokenSHA256")
            }
            return "token"
        }
        throw .noCredential("no break-glass credential: give --key-file FILE or set \(tokenVariable)")
    }

    /// The content of the key file at `path`, refused unless it is a regular file (a symlink could point anywhere),
    /// owned by the user running this process, and readable by nobody else.
    ///
    /// The file is checked with `lstat`, then opened without following a symlink and checked to be the same file, so
    /// it cannot be swapped between the check and the read.
    static func readKeyFile(_ path: String) throws(BreakGlassRefusal) -> Data {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw .noCredential("cannot read the key file \(path): \(String(cString: strerror(errno)))")
        }
        try checkKeyFile(path, info)
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .noCredential("cannot open the key file \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var opened = stat()
        guard fstat(descriptor, &opened) == 0, opened.st_dev == info.st_dev, opened.st_ino == info.st_ino else {
            throw .keyFileExposed(
                "the key file \(path) changed while it was being read; check who else can write there")
        }
        guard let data = try? handle.readToEnd() else { throw .noCredential("cannot read the key file \(path)") }
        return data
    }

    /// Refuses a key file that is a symlink, not a regular file, owned by another user, or readable by group or others.
    static func checkKeyFile(_ path: String, _ info: stat) throws(BreakGlassRefusal) {
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK {
            throw .keyFileExposed(
                "the key file \(path) is a symlink; a symlink can be pointed at another file, so give the path of "
                    + "the key file itself (`realpath \(path)`)")
        }
        guard type == S_IFREG else {
            throw .noCredential("the key file \(path) is not a regular file; give the path of the key file")
        }
        let user = geteuid()
        if info.st_uid != user {
            throw .keyFileExposed(
                "the key file \(path) is owned by uid \(info.st_uid), not by uid \(user) that runs sluice, and its "
                    + "owner can replace the key; `chown \(user) \(path)` (or use a copy of your own) and rotate "
                    + "the key")
        }
        let mode = Int(info.st_mode) & 0o777
        if mode & 0o077 != 0 {
            throw .keyFileExposed(
                "the key file \(path) has mode \(String(mode, radix: 8)) and can be read by group or others; "
                    + "`chmod 600 \(path)` and rotate the key")
        }
    }

    /// SHA-256 of `data`, lowercase hex.
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).hexDigits
    }
}

/// Why break-glass refused to run.
public enum BreakGlassRefusal: Error, Equatable, CustomStringConvertible {
    case noCredential(String)
    case keyFileExposed(String)

    public var description: String {
        switch self {
        case .noCredential(let message), .keyFileExposed(let message): message
        }
    }
}

/// The channels a `BreakGlass` config describes.
public enum BreakGlassChannels {
    /// The exec per-node channel and the etcd kill switch, as configured.
    public static func from(config: BreakGlassConfig, environment: [String: String] = [:]) -> [any BreakGlassChannel] {
        var channels: [any BreakGlassChannel] = []
        if let command = config.nodeCommand {
            channels.append(
                ExecNodeChannel(command: command, timeoutSeconds: config.timeoutSeconds, environment: environment))
        }
        if let endpoint = config.killSwitchEndpoint.flatMap(URL.init(string:)) {
            channels.append(
                EtcdKillSwitchChannel(
                    endpoint: endpoint, prefix: config.killSwitchPrefix, timeoutSeconds: config.timeoutSeconds))
        }
        return channels
    }
}
