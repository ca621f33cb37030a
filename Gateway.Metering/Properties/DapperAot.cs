// Every Dapper call in this assembly is compiled ahead of time by Dapper.AOT's generator: no IL is emitted at run
// time, so the gateway runs as a Native AOT binary. Cancellation rides in the parameters (a CancellationToken member).
[module: Dapper.DapperAot]
