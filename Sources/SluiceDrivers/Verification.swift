
/// The verify step of one batch: its commands run until each exits 0, a failure tried again after the step's interval.
///
/// The step's timeout is one budget for the whole batch, read on the caller's clock from the first try: a failed try
/// is given another only when the next would start within it. A command that cannot start fails at once.
struct Verification {
    var step: ExecDriverConfig.Verify
    var environment: [String: String]
    /// The kill budget of each single run (the driver's `timeout`).
    var callTimeoutSeconds: Double

    /// Runs `commands` (one per chunk of the batch) in order, each until it succeeds; returns their outputs.
    ///
    /// Throws ``ExecDriverError/notVerified(command:timeoutSeconds:status:output:timedOut:)`` with the last try of the
    /// first command still failing when the timeout has passed.
    func run(_ commands: [[String]], clock: some Clock<Duration>) async throws -> [String] {
        let deadline = clock.now.advanced(by: .seconds(step.timeoutSeconds))
        let interval = Duration.seconds(step.intervalSeconds)
        var outputs: [String] = []
        for arguments in commands {
            while true {
                let run = try await CommandRunner.run(
                    arguments, environment: environment, timeoutSeconds: callTimeoutSeconds)
                if run.status == 0 {
                    outputs.append(run.output)
                    break
                }
                guard clock.now.advanced(by: interval) <= deadline else {
                    throw ExecDriverError.unverifiedRun(arguments, timeoutSeconds: step.timeoutSeconds, last: run)
                }
                try await clock.sleep(for: interval)
            }
        }
        return outputs
    }
}
