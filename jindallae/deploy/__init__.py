"""Publishing the built site where the public reads it (``jindallae deploy``).

* :mod:`.config` — the ``DEPLOY_*`` settings and the public-URL rule of production builds;
* :mod:`.release` — manifests, the upload/keep/delete plan, precompression, verification;
* :mod:`.layout` — ``releases/`` + ``current`` on this server or over SSH;
* one module per target type: :mod:`.dir_target`, :mod:`.rsync_target`, :mod:`.s3_target`,
  :mod:`.zip_target`;
* :mod:`.run` — the driver: production build, plan, apply, verify, finish, post-deploy;
* :mod:`.nginx` — the nginx configuration of a ``dir`` target.

Importing this package does no work and imports nothing heavy (boto3 only when an s3 target
runs).
"""
