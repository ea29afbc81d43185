"""posters: printable posters (A-formats, roll-up banners) for events and pages."""


def register():
    pass
