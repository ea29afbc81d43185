# Production settings: `jindallae deploy`, `jindallae build --publish` and the CMS's publish read
# this file instead of pelicanconf.py.
from pelicanconf import *  # noqa: F401,F403

# The address the public reads the site at. Publishing refuses localhost, IP addresses and
# example names: set your own, with the sub-path when the site is a column of a larger site,
# e.g. "https://www.yanbian.gov.cn/zt/rkwh" (links, feeds, sitemap, QR codes and search all
# follow it).
JINDALLAE_PUBLIC_URL = "https://www.jindallae.example"

# Where `jindallae deploy` publishes (see README, "Publishing"). Secrets never go here: S3 keys
# come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), SSH keys from ~/.ssh.
DEPLOY_TARGETS = {
    # "web": {"type": "dir", "path": "/srv/www/rkwh"},
    # "portal": {"type": "rsync", "host": "deploy@web.example.gov.cn", "path": "/srv/www/rkwh"},
    # "oss": {"type": "s3", "bucket": "rkwh", "endpoint": "https://oss-cn-beijing.aliyuncs.com",
    #         "addressing_style": "virtual", "region": "oss-cn-beijing"},
    # "package": {"type": "zip", "path": "dist/rkwh-{release}.zip"},
}
