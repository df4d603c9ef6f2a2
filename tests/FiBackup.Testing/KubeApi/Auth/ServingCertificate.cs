using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// The self-signed certificate of the HTTPS port (ECDSA P-256, for 127.0.0.1 and localhost), made once per process.
/// It is its own CA: kubeconfigs carry it as certificate-authority-data, so kubectl and KubernetesClient verify it.
/// HTTPS exists because kubectl never sends a bearer token over plain HTTP.
/// </summary>
public static class ServingCertificate
{
    private static readonly Lazy<X509Certificate2> Certificate = new(Create);

    public static X509Certificate2 Instance => Certificate.Value;

    /// <summary>The PEM of the certificate, base64-encoded as kubeconfig's certificate-authority-data wants it.</summary>
    public static string AuthorityData => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(Instance.ExportCertificatePem()));

    private static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=fibackup-kubeapi", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        // Re-import so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
