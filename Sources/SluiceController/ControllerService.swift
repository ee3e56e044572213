public import ServiceLifecycle
import Logging
import AsyncAlgorithms
import SluiceCore
import SluiceStore

/// The reconcile loop as a service: a pass at every tick, until graceful shutdown; then the lease is given up.
public struct ControllerService<Ticks: AsyncSequence & Sendable>: Service where Ticks.Element: Sendable {
    public var controller: RolloutController
    public var ticks: Ticks
    /// Called after each pass; returning true ends the loop (`--exit-when-idle`, tests). A virtual clock moves here.
    public var afterPass: @Sendable (RolloutController.PassOutcome) async throws -> Bool

    public init(
        controller: RolloutController, ticks: Ticks,
        afterPass: @escaping @Sendable (RolloutController.PassOutcome) async throws -> Bool = { _ in false }
    ) {
        self.controller = controller
        self.ticks = ticks
        self.afterPass = afterPass
    }

    public func run() async throws {
        var standingByFor: String?
        for try await _ in ticks.cancelOnGracefulShutdown() {
            let outcome: RolloutController.PassOutcome
            do {
                outcome = try await controller.reconcileOnce()
            } catch StoreError.leaseLost(let owner, let fence) {
                controller.logger.warning("lease lost to \(owner) (fence \(fence)); standing by")
                continue
            }
            if case .standby(let owner, let expiresAt) = outcome {
                if standingByFor != owner {
                    controller.logger.info(
                        "standing by: lease held by \(owner) until \(ControllerTime.format(expiresAt)) unless renewed")
                }
                standingByFor = owner
            } else {
                standingByFor = nil
            }
            if try await afterPass(outcome) { break }
        }
        if let lease = try? await controller.acquireLease() {
            try? controller.store.releaseLease(lease)
        }
    }
}
