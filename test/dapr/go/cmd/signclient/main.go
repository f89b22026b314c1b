// Asks a real Sentry for a workload certificate over dapr.proto.sentry.v1.CA/SignCertificate, dialling it the way
// daprd does (TLS trusting only the given anchors, server authorised by its SPIFFE ID), and judges the answer with
// Go's verifier. Prints one JSON object on stdout; exits 0 when signed and verified (or, with -handshake-only, when
// the handshake succeeds), 1 otherwise, 2 on bad usage.
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	sentryv1pb "github.com/dapr/dapr/pkg/proto/sentry/v1"
	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffegrpc/grpccredentials"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

type result struct {
	Handshake bool   `json:"handshake"`
	Signed    bool   `json:"signed"`
	Verified  bool   `json:"verified"`
	Error     string `json:"error,omitempty"`
	// Sentry's serving certificate chain as it came in the handshake.
	ServerSpiffeID string `json:"serverSpiffeId,omitempty"`
	ServerChainPem string `json:"serverChainPem,omitempty"`
	// The two verifications behind Verified: as daprd verifies peers (any usage) and as Go does by default (serverAuth).
	VerifiedAnyUsage   bool   `json:"verifiedAnyUsage"`
	VerifiedServerAuth bool   `json:"verifiedServerAuth"`
	SpiffeID           string `json:"spiffeId,omitempty"`
	NotBefore          string `json:"notBefore,omitempty"`
	NotAfter           string `json:"notAfter,omitempty"`
	SerialNumber       string `json:"serialNumber,omitempty"`
	IssuerSubject      string `json:"issuerSubject,omitempty"`
	SignatureAlgorithm string `json:"signatureAlgorithm,omitempty"`
	ChainPem           string `json:"chainPem,omitempty"`
	TrustChainPem      string `json:"trustChainPem,omitempty"`
}

type options struct {
	address, caFile, trustDomain, sentryNamespace string
	id, namespace, requestTrustDomain, tokenFile  string
	validator, keyType                            string
	timeout                                       time.Duration
	handshakeOnly                                 bool
}

var validators = map[string]sentryv1pb.SignCertificateRequest_TokenValidator{
	"unknown":    sentryv1pb.SignCertificateRequest_UNKNOWN,
	"insecure":   sentryv1pb.SignCertificateRequest_INSECURE,
	"kubernetes": sentryv1pb.SignCertificateRequest_KUBERNETES,
	"jwks":       sentryv1pb.SignCertificateRequest_JWKS,
}

func main() {
	var o options
	flag.StringVar(&o.address, "address", "", "Sentry's gRPC address, host:port (required)")
	flag.StringVar(&o.caFile, "ca", "", "PEM file of the trust anchors; the only roots trusted (required)")
	flag.StringVar(&o.trustDomain, "trust-domain", "cluster.local", "Sentry's trust domain (its --trust-domain)")
	flag.StringVar(&o.sentryNamespace, "sentry-namespace", "default",
		"Sentry's namespace (its NAMESPACE env; self-hosted Sentry defaults to \"default\")")
	flag.StringVar(&o.id, "id", "app", "app ID to request")
	flag.StringVar(&o.namespace, "namespace", "default", "namespace to request")
	flag.StringVar(&o.requestTrustDomain, "request-trust-domain", "", "trust domain to request (Sentry: \"public\" when empty)")
	flag.StringVar(&o.tokenFile, "token-file", "", "file holding the token to send")
	flag.StringVar(&o.validator, "validator", "",
		"token validator: insecure|jwks|kubernetes|unknown (default as daprd: jwks with -token-file, else unknown)")
	flag.StringVar(&o.keyType, "key", "ecdsa", "CSR key type: ecdsa (P-256)|ed25519|rsa")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "bound for the whole exchange")
	flag.BoolVar(&o.handshakeOnly, "handshake-only", false, "only complete the TLS handshake and print Sentry's chain")
	flag.Parse()
	os.Exit(run(o))
}

func usage(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "signclient: "+format+"\n", args...)
	return 2
}

func run(o options) int {
	if o.address == "" || o.caFile == "" {
		return usage("-address and -ca are required")
	}
	if flag.NArg() > 0 {
		return usage("unexpected arguments: %s", strings.Join(flag.Args(), " "))
	}
	anchors, err := readCertificates(o.caFile)
	if err != nil {
		return usage("-ca: %v", err)
	}
	td, err := spiffeid.TrustDomainFromString(o.trustDomain)
	if err != nil {
		return usage("-trust-domain: %v", err)
	}
	sentryID, err := spiffeid.FromSegments(td, "ns", o.sentryNamespace, "dapr-sentry")
	if err != nil {
		return usage("-sentry-namespace: %v", err)
	}
	var token string
	if o.tokenFile != "" {
		b, err := os.ReadFile(o.tokenFile)
		if err != nil {
			return usage("-token-file: %v", err)
		}
		token = string(b)
	}
	if o.validator == "" {
		o.validator = "unknown"
		if o.tokenFile != "" {
			o.validator = "jwks"
		}
	}
	validator, ok := validators[o.validator]
	if !ok {
		return usage("-validator must be insecure, jwks, kubernetes or unknown, not %q", o.validator)
	}
	key, err := generateKey(o.keyType)
	if err != nil {
		return usage("-key: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	// Dapr's own client builds its bundle from the anchors and authorises Sentry by SPIFFE ID: Sentry's certificate has
	// that URI SAN only, no DNS name.
	bundle := x509bundle.FromX509Authorities(td, anchors)
	authorizer := tlsconfig.AuthorizeID(sentryID)
	out := &result{}
	code := exchange(ctx, o, out, bundle, authorizer, anchors, key, token, validator)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "signclient: %v\n", err)
		return 1
	}
	return code
}

func exchange(
	ctx context.Context, o options, out *result, bundle *x509bundle.Bundle, authorizer tlsconfig.Authorizer,
	anchors []*x509.Certificate, key crypto.Signer, token string, validator sentryv1pb.SignCertificateRequest_TokenValidator,
) int {
	// The handshake on its own first, so a TLS failure is told apart from a refused request.
	dialer := &tls.Dialer{Config: tlsconfig.TLSClientConfig(bundle, authorizer)}
	dialer.Config.NextProtos = []string{"h2"}
	conn, err := dialer.DialContext(ctx, "tcp", o.address)
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Op == "dial" {
			out.Error = "connect: " + err.Error()
		} else {
			out.Error = "TLS handshake: " + err.Error()
		}
		return 1
	}
	peers := conn.(*tls.Conn).ConnectionState().PeerCertificates
	_ = conn.Close()
	out.Handshake = true
	out.ServerChainPem = encodeCertificates(peers)
	out.ServerSpiffeID = spiffeIDOf(peers[0])
	if o.handshakeOnly {
		return 0
	}

	grpcConn, err := grpc.NewClient(o.address, grpc.WithTransportCredentials(grpccredentials.TLSClientCredentials(bundle, authorizer)))
	if err != nil {
		out.Error = "gRPC client: " + err.Error()
		return 1
	}
	defer grpcConn.Close()
	requestTD := o.requestTrustDomain
	if requestTD == "" {
		requestTD = "public"
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		URIs: []*url.URL{{Scheme: "spiffe", Host: requestTD, Path: "/ns/" + o.namespace + "/" + o.id}},
	}, key)
	if err != nil {
		out.Error = "CSR: " + err.Error()
		return 1
	}
	response, err := sentryv1pb.NewCAClient(grpcConn).SignCertificate(ctx, &sentryv1pb.SignCertificateRequest{
		Id:                        o.id,
		Namespace:                 o.namespace,
		TrustDomain:               o.requestTrustDomain,
		Token:                     token,
		TokenValidator:            validator,
		CertificateSigningRequest: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}),
	})
	if err != nil {
		if st, ok := status.FromError(err); ok {
			out.Error = fmt.Sprintf("%s: %s", st.Code(), st.Message())
		} else {
			out.Error = err.Error()
		}
		return 1
	}
	out.Signed = true
	out.ChainPem = string(response.GetWorkloadCertificate())
	var trust []string
	for _, pemBytes := range response.GetTrustChainCertificates() {
		trust = append(trust, string(pemBytes))
	}
	out.TrustChainPem = strings.Join(trust, "")

	chain, err := decodeCertificates(response.GetWorkloadCertificate())
	if err != nil {
		out.Error = "workload certificate: " + err.Error()
		return 1
	}
	leaf := chain[0]
	out.SpiffeID = spiffeIDOf(leaf)
	out.NotBefore = leaf.NotBefore.UTC().Format(time.RFC3339)
	out.NotAfter = leaf.NotAfter.UTC().Format(time.RFC3339)
	out.SerialNumber = leaf.SerialNumber.Text(16)
	out.IssuerSubject = leaf.Issuer.String()
	out.SignatureAlgorithm = leaf.SignatureAlgorithm.String()

	var problems []string
	if !publicKeyMatches(leaf.PublicKey, key.Public()) {
		problems = append(problems, "the certificate's public key is not the CSR's")
	}
	roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
	for _, anchor := range anchors {
		roots.AddCert(anchor)
	}
	for _, cert := range chain[1:] {
		intermediates.AddCert(cert)
	}
	verify := func(usages []x509.ExtKeyUsage) error {
		_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates, KeyUsages: usages})
		return err
	}
	if err := verify([]x509.ExtKeyUsage{x509.ExtKeyUsageAny}); err != nil {
		problems = append(problems, "verify (any usage, as daprd): "+err.Error())
	} else {
		out.VerifiedAnyUsage = true
	}
	if err := verify(nil); err != nil {
		problems = append(problems, "verify (serverAuth, Go's default): "+err.Error())
	} else {
		out.VerifiedServerAuth = true
	}
	if len(problems) > 0 {
		out.Error = strings.Join(problems, "; ")
		return 1
	}
	out.Verified = true
	return 0
}

func generateKey(keyType string) (crypto.Signer, error) {
	switch keyType {
	case "ecdsa":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ed25519":
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	case "rsa":
		return rsa.GenerateKey(rand.Reader, 2048)
	default:
		return nil, fmt.Errorf("must be ecdsa, ed25519 or rsa, not %q", keyType)
	}
}

func publicKeyMatches(certKey, ours crypto.PublicKey) bool {
	key, ok := ours.(interface{ Equal(crypto.PublicKey) bool })
	return ok && key.Equal(certKey)
}

func readCertificates(file string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return decodeCertificates(data)
}

func decodeCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, errors.New("no certificates found")
	}
	return certs, nil
}

func encodeCertificates(certs []*x509.Certificate) string {
	var b strings.Builder
	for _, cert := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	}
	return b.String()
}

func spiffeIDOf(cert *x509.Certificate) string {
	for _, uri := range cert.URIs {
		if uri.Scheme == "spiffe" {
			return uri.String()
		}
	}
	return ""
}
