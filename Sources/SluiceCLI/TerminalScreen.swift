import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal as a full-screen display: the alternate screen, cursor hidden, redrawn in place; restored on leave,
/// on SIGINT and on SIGTERM, so Ctrl-C leaves the terminal as it was.
///
/// Writes go straight to file descriptor 1 under a lock, so a signal arriving mid-frame restores the terminal after
/// the frame, never inside it.
final class TerminalScreen: @unchecked Sendable {
    /// Alternate screen on, cursor hidden, line wrap off (long lines are cut at the edge, not folded).
    static let enterSequence = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l"
    /// Line wrap on, cursor shown, alternate screen off.
    static let leaveSequence = "\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l"

    private let lock = NSLock()
    private var active = false
    private var signalSources: [any DispatchSourceSignal] = []

    /// Whether standard output is a terminal.
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Switches to the alternate screen and restores the terminal and exits with `128 + signal` on SIGINT or SIGTERM.
    func enter() {
        lock.withLock {
            active = true
            Self.write(Self.enterSequence)
        }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                if active { Self.write(Self.leaveSequence) }
                exit(128 + signalNumber)
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Draws `lines` from the top left, clearing what the previous frame left, cut to the terminal's height.
    func draw(_ lines: [String]) {
        let rows = Self.size().rows
        let shown = rows > 0 && lines.count > rows ? Array(lines.prefix(rows)) : lines
        var frame = "\u{1B}[H"
        for (index, line) in shown.enumerated() {
            frame += line + "\u{1B}[K" + (index == shown.count - 1 ? "" : "\r\n")
        }
        frame += "\u{1B}[J"
        lock.withLock {
            if active { Self.write(frame) }
        }
    }

    /// Leaves the alternate screen and shows the cursor again. Safe to call twice.
    func leave() {
        lock.withLock {
            if active { Self.write(Self.leaveSequence) }
            active = false
        }
    }

    /// The terminal's rows and columns, or zeros when unknown.
    static func size() -> (rows: Int, columns: Int) {
        var size = winsize()
        #if canImport(Glibc)
        let request = UInt(TIOCGWINSZ)
        #else
        let request = TIOCGWINSZ
        #endif
        guard ioctl(STDOUT_FILENO, request, &size) == 0 else { return (0, 0) }
        return (Int(size.ws_row), Int(size.ws_col))
    }

    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                #if canImport(Glibc)
                Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                Darwin.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
            }
            if written <= 0 { return }
            offset += written
        }
    }
}
