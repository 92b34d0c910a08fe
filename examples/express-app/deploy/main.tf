# Deploys the express example as one SCF event function with a Function URL (Terraform or OpenTofu).
# From the example folder:
#   npx scf-bridge pack --out build/function-$(git rev-parse --short HEAD).zip --deploy none
#   cd deploy && terraform init
#   terraform apply -var zip_path=../build/function-<that sha>.zip -var cookie_secret=<a long random string>
# The provider uploads the code again only when the zip_path string changes: give each release its own
# file name, as above (or run terraform apply -replace=tencentcloud_scf_function.app).
# Credentials: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY.

terraform {
  required_providers {
    # tencentcloud_scf_trigger (the Function URL) is new in 1.83.16.
    tencentcloud = { source = "tencentcloudstack/tencentcloud", version = ">= 1.83.16" }
  }
}

variable "region" {
  type    = string
  default = "ap-guangzhou"
}

variable "zip_path" {
  type        = string
  description = "The zip scf-bridge pack wrote, a new file name per release"
}

variable "cookie_secret" {
  type        = string
  sensitive   = true
  description = "Signs the session cookie"
}

provider "tencentcloud" {
  region = var.region
}

resource "tencentcloud_scf_function" "app" {
  name              = "scf-bridge-express-example"
  namespace         = "default"
  func_type         = "Event"
  runtime           = "Nodejs18.15" # Express 5 needs Node 18 or newer
  handler           = "index.main_handler"
  mem_size          = 256
  timeout           = 30
  enable_public_net = true
  environment = {
    NODE_ENV      = "production"
    COOKIE_SECRET = var.cookie_secret
  }
  zip_file = var.zip_path
}

# The Function URL: an http trigger on $DEFAULT, the alias that follows $LATEST, so code updates reach it.
# The server names an http trigger itself: trigger_name must be left out.
resource "tencentcloud_scf_trigger" "url" {
  function_name = tencentcloud_scf_function.app.name
  namespace     = tencentcloud_scf_function.app.namespace
  type          = "http"
  qualifier     = "$DEFAULT"
  enable        = "OPEN"
  trigger_desc = jsonencode({
    AuthType  = "NONE"
    NetConfig = { EnableIntranet = false, EnableExtranet = true }
  })
}

output "url" {
  value = jsondecode(tencentcloud_scf_trigger.url.trigger_attribute).NetConfig.ExtranetUrl
}
