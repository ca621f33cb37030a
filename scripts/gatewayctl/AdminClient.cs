using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Cli;

/// <summary>One admin API call: JSON in, JSON out; an error answer becomes its message and code.</summary>
internal sealed class AdminClient(Uri root, string token) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = root, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<AdminAnswer> SendAsync(HttpMethod method, string path, JsonObject? body = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? json = null;
            try
            {
                json = text.Length > 0 ? JsonNode.Parse(text) : null;
            }
            catch (JsonException)
            {
                // not JSON: reported below as it is
            }

            if (response.IsSuccessStatusCode)
            {
                return new AdminAnswer(true, (int)response.StatusCode, json, text, null);
            }

            var message = json?["error"]?["message"]?.GetValue<string>() ?? $"HTTP {(int)response.StatusCode}";
            var code = json?["error"]?["code"]?.GetValue<string>();
            return new AdminAnswer(false, (int)response.StatusCode, json, text, code is null ? message : $"{message} ({code})");
        }
        catch (HttpRequestException ex)
        {
            return new AdminAnswer(false, 0, null, "", $"cannot reach {root}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AdminAnswer(false, 0, null, "", $"{root} did not answer in {_http.Timeout.TotalSeconds} s");
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>What the gateway answered.</summary>
internal sealed record AdminAnswer(bool Ok, int Status, JsonNode? Json, string Text, string? Error);
