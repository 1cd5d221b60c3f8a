// The run itself completed; the check in verify failed the build and said which rule, where and by how much.
def log = new File(basedir, 'build.log').text
assert log.contains('thresholds failed; grindstone:check fails the build in verify.')
assert log =~ /Load test slow-checkout \(.*\): 2 of 4 threshold checks failed:/
assert log =~ /FAIL  p99<1ms  Test 1  actual \d+\.\d\d/
assert log.contains('BUILD FAILURE')
def xml = new File(basedir, 'target/grindstone-reports/TEST-grindstone-slow-checkout.xml')
def failures = new groovy.xml.XmlSlurper().parse(xml).testsuite[0].testcase.failure
assert failures.size() == 2
assert failures[0].@message.text() ==~ /Test 1: p99 was \d+\.\d\d ms, expected < 1 ms/
