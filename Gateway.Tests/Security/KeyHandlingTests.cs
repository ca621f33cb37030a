using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Tests.Functional;
using Gateway.Tests.Infrastructure;
using Npgsql;
using StackExchange.Redis;

namespace Gateway.Tests.Security;

/// <summary>Virtual keys at rest and at the door: only their SHA-256 is stored; absurd keys are refused early.</summary>
[Collection(GatewayCollection.Name)]
public sealed class KeyHandlingTests(GatewayFixture fixture)
{
    [Fact]
    public async Task CreatedKey_OnlyItsSha256IsStored()
    {
        var (tenant, key, keyId) = await fixture.Simulated.NewTenantAsync();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

        await using var connection = new NpgsqlConnection(TestServices.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT key_hash, prefix, row_to_json(k)::text FROM api_keys k WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", keyId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(hash, (byte[])reader[0]);
        Assert.Equal(key[..12], reader.GetString(1)); // sk-gw- and six characters, to tell keys apart
        Assert.DoesNotContain(key[12..], reader.GetString(2), StringComparison.Ordinal);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
        var db = redis.GetDatabase();
        Assert.Equal(tenant + "\n" + keyId, (string?)await db.StringGetAsync("gw:key:" + Convert.ToHexStringLower(hash)));
        var server = redis.GetServers()[0];
        await foreach (var name in server.KeysAsync(database: db.Database, pattern: "gw:key:*"))
        {
            Assert.DoesNotContain(key, name.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(key, (string?)await db.StringGetAsync(name) ?? string.Empty, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("x-api-key", 8_000)]
    [InlineData("api-key", 8_000)]
    [InlineData("x-goog-api-key", 8_000)]
    public async Task KeyOfAbsurdLengthInAnyHeader_401(string header, int length)
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Replay.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("{\"model\":\"m\"}", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation(header, "sk-gw-" + new string('k', length));

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, "invalid_api_key");
    }

    [Fact]
    public async Task KeyOfAbsurdLengthInTheQuery_RefusedByTheServerLimit()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Replay.BaseUrl) };

        var response = await http.PostAsync("/v1beta/models/g:generateContent?key=" + new string('k', 1024 * 1024), new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode); // Kestrel's 8 KB request line, before any code of ours
    }
}
