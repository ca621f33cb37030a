using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Metering.Tenants;

namespace Gateway.Tests.Tenants;

/// <summary>A presented key becomes a SHA-256 in hex, or nothing: no text of the client's reaches a lookup.</summary>
public sealed partial class ApiKeysTests
{
    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Hex();

    [Theory]
    [InlineData("sk-gw-0123456789ABCDEFGHIJabcdefghij01")]
    [InlineData("'OR'1'='1'--")]
    [InlineData("\";DEL\"gw:key:*;\"")]
    [InlineData("*")]
    [InlineData("gw:key:{gw1}:t:x:wallet")]
    [InlineData("$(reboot)`id`")]
    public void HashPresented_AnyPrintableAscii_IsItsSha256InHex(string presented)
    {
        var hash = ApiKeys.HashPresented(presented);

        Assert.NotNull(hash);
        Assert.Matches(Hex(), hash);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(presented))), hash);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sk-gw-ключ")]
    [InlineData("sk-gw- spaced")]
    [InlineData("' OR 1=1 --")]
    [InlineData("sk-gw-\u0000nul")]
    [InlineData("sk-gw-\r\nInjected: header")]
    [InlineData("sk-gw-\u00e9")]
    public void HashPresented_NotPrintableAscii_Refused(string presented)
    {
        Assert.Null(ApiKeys.HashPresented(presented));
    }

    [Fact]
    public void HashPresented_LongerThanAnyKey_RefusedWithoutHashing()
    {
        Assert.NotNull(ApiKeys.HashPresented(new string('k', ApiKeys.MaxPresentedLength)));
        Assert.Null(ApiKeys.HashPresented(new string('k', ApiKeys.MaxPresentedLength + 1)));
        Assert.Null(ApiKeys.HashPresented(new string('k', 1024 * 1024)));
    }

    [Fact]
    public void NewKey_StoredForm_IsTheSha256OfTheKey()
    {
        var key = ApiKeys.NewKey();

        Assert.Matches("^sk-gw-[0-9A-Za-z]{32}$", key);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key)), ApiKeys.Hash(key));
        Assert.Equal(Convert.ToHexStringLower(ApiKeys.Hash(key)), ApiKeys.HashPresented(key));
    }
}
