module github.com/kaohe/kaohe

go 1.26.8

require (
	github.com/6tail/lunar-go v1.4.7
	github.com/gorilla/websocket v1.5.0
	github.com/larksuite/oapi-sdk-go/v3 v3.12.0
	github.com/robfig/cron/v3 v3.0.1
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	github.com/shopspring/decimal v1.6.0
	go.yaml.in/yaml/v3 v3.0.6
)

require (
	github.com/gogo/protobuf v1.3.2 // indirect
	golang.org/x/text v0.14.0 // indirect
)
