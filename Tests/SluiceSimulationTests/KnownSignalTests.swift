import FleetSimulator
import SluiceCore
import Testing

/// The core's list of known signals (policy warnings, negative-value checks) follows what the simulator produces.
@Suite struct KnownSignalTests {
    @Test func theKnownSignalsAreTheSimulatorsInItsOrder() {
        #expect(KnownSignals.names == SimulatedSignal.allNames)
    }
}
