import ArgumentParser
import SluiceCLI

@main extension SluiceCommand {}
