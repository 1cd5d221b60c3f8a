// The run wrote its results folder and its JUnit report, and the build passed the check.
def log = new File(basedir, 'build.log').text
assert log.contains('All thresholds passed.')
assert log.contains('every threshold passed')
def results = new File(basedir, 'target/grindstone').listFiles().findAll { it.isDirectory() }
assert results.size() == 1
def json = new groovy.json.JsonSlurper().parse(new File(results[0], 'results.json'))
assert json.run.name == 'com.example.load.GreetingScenario'
assert json.tests[0].description == 'Greet'
assert json.tests[0].tests > 0
assert json.tests[0].errors == 0 // the scenario checked every answer of its own client
def xml = new File(basedir, 'target/grindstone-reports/TEST-grindstone-GreetingScenario.xml')
def suites = new groovy.xml.XmlSlurper().parse(xml)
assert suites.testsuite[0].testcase.size() == 4
assert suites.testsuite[0].testcase.failure.size() == 0
