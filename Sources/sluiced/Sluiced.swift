import ArgumentParser
import SluiceDaemon

@main extension SluicedCommand {}
