// The build stopped in integration-test with the compiler's message, file, line and column.
def log = new File(basedir, 'build.log').text
assert log.contains('The load test could not start:')
assert log.contains('does not compile')
assert log =~ /Broken\.java:7:\d+: incompatible types: int cannot be converted to java.lang.String/
assert !log.contains('grindstone:check')
assert !new File(basedir, 'target/grindstone-reports').exists()
