"""Exports of one page for other channels.

``wechat``: the article as the WeChat official-account (公众号) editor accepts it, with the list
of images to upload and the page's public address and QR code (:mod:`.wechat`).  Exports read
the content model (:mod:`jindallae.model`) and the renderer (:mod:`jindallae.markup`); they do
not know the CMS, which calls them like the command line does.
"""
