import Foundation
internal import GRDB
import SluiceCore

/// Notices commits to the database from any process, by polling `PRAGMA data_version` on one dedicated connection.
///
/// `data_version` is per connection: it changes when another connection commits, so it must be read on the same
/// connection every time. A ``SluiceStore``'s pool hands reads to whichever connection is free, which is why this
/// type opens its own single read-only connection. Reading it is cheap (no table is touched).
public final class ChangeWatcher: Sendable {
    let connection: DatabaseQueue

    /// Opens a read-only connection to the existing database at `path`.
    public init(path: String, busyTimeoutSeconds: Double = 5) throws(StoreError) {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(busyTimeoutSeconds)
            connection = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw StoreError.unusable(path: path, reason: "\(error)")
        }
    }

    /// A number that differs from the previous reading when another connection committed in between.
    ///
    /// Compare successive readings; the value itself means nothing.
    public func dataVersion() throws(StoreError) -> Int {
        do {
            return try connection.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        } catch {
            throw StoreError.wrap(error)
        }
    }
}

/// The daemon's last pass as it noted it: its clock then and the wall time it was taken at.
public struct ControllerPass: Sendable, Equatable {
    /// The controller's clock at the start of the pass (virtual seconds in virtual time, Unix seconds live).
    public var controllerNow: Double
    /// The wall clock (Unix seconds) at the same moment.
    public var wallAt: Double

    public init(controllerNow: Double, wallAt: Double) {
        self.controllerNow = controllerNow
        self.wallAt = wallAt
    }

    /// The controller's clock at wall time `wallNow`, estimated from this pass: on the wall clock it is the wall
    /// clock; a virtual clock runs on from the pass while a daemon holds the lease (`daemonLive`) and stands still
    /// without one, as a stopped daemon's virtual time does.
    public func controllerNow(atWall wallNow: Double, daemonLive: Bool) -> Double {
        guard ControllerTime.virtualTime(controllerNow) != nil else { return wallNow }
        return daemonLive ? controllerNow + max(0, wallNow - wallAt) : controllerNow
    }
}

extension SluiceStore {
    /// The last pass any daemon noted, or nil before any daemon ran.
    public func lastControllerPass() throws(StoreError) -> ControllerPass? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT now, wallAt FROM controllerClock WHERE id = 1").map {
                ControllerPass(controllerNow: $0["now"], wallAt: $0["wallAt"])
            }
        }
    }
}
