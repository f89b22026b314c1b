// daprd as released, plus the components the tests need that dapr registers only in its "allcomponents" build: the
// sqlite name resolver (two daprd on one machine find each other without mDNS) and the two OAuth HTTP middlewares.
// Build with -tags stablecomponents, which registers the rest of the stable set.
package main

import (
	"context"

	contribmiddleware "github.com/dapr/components-contrib/middleware"
	"github.com/dapr/components-contrib/middleware/http/oauth2"
	"github.com/dapr/components-contrib/middleware/http/oauth2clientcredentials"
	"github.com/dapr/components-contrib/nameresolution/sqlite"
	"github.com/dapr/dapr/cmd/daprd/app"
	httpMiddlewareLoader "github.com/dapr/dapr/pkg/components/middleware/http"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	"github.com/dapr/dapr/pkg/middleware"
	"github.com/dapr/kit/logger"
)

func main() {
	nrLoader.DefaultRegistry.RegisterComponent(sqlite.NewResolver, "sqlite")
	httpMiddlewareLoader.DefaultRegistry.RegisterComponent(func(log logger.Logger) httpMiddlewareLoader.FactoryMethod {
		return func(metadata contribmiddleware.Metadata) (middleware.HTTP, error) {
			return oauth2.NewOAuth2Middleware(log).GetHandler(context.Background(), metadata)
		}
	}, "oauth2")
	httpMiddlewareLoader.DefaultRegistry.RegisterComponent(func(log logger.Logger) httpMiddlewareLoader.FactoryMethod {
		return func(metadata contribmiddleware.Metadata) (middleware.HTTP, error) {
			return oauth2clientcredentials.NewOAuth2ClientCredentialsMiddleware(log).GetHandler(context.Background(), metadata)
		}
	}, "oauth2clientcredentials")
	app.Run()
}
